#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialized: a database and a user for Keycloak
# beside Airlock's. Passwords come from the environment (docker/.env), never from this file.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v kc_password="$KEYCLOAK_DB_PASSWORD" <<'SQL'
CREATE USER keycloak WITH PASSWORD :'kc_password';
CREATE DATABASE keycloak OWNER keycloak;
SQL
