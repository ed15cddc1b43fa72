-- The last scan of AWS (issue 3): what exists, read with paginators, replaced as a whole by
-- each scan. Runs on H2 and PostgreSQL alike.

CREATE TABLE inventory_scan (
  id              INT          NOT NULL PRIMARY KEY,
  started_at      TIMESTAMP,
  finished_at     TIMESTAMP,
  actor           VARCHAR(128),
  duration_ms     BIGINT       NOT NULL,
  aws_calls       INT          NOT NULL,
  accounts        INT          NOT NULL,
  users           INT          NOT NULL,
  groups_count    INT          NOT NULL,
  memberships     INT          NOT NULL,
  permission_sets INT          NOT NULL,
  assignments     INT          NOT NULL
);

INSERT INTO inventory_scan (id, duration_ms, aws_calls, accounts, users, groups_count, memberships,
                            permission_sets, assignments)
VALUES (1, 0, 0, 0, 0, 0, 0, 0, 0);

CREATE TABLE inventory_account (
  account_id VARCHAR(12)  NOT NULL PRIMARY KEY,
  name       VARCHAR(256) NOT NULL,
  email      VARCHAR(256),
  status     VARCHAR(32)
);

CREATE TABLE inventory_user (
  user_id      VARCHAR(64)  NOT NULL PRIMARY KEY,
  user_name    VARCHAR(128) NOT NULL,
  display_name VARCHAR(256),
  email        VARCHAR(256)
);

CREATE UNIQUE INDEX inventory_user_name ON inventory_user (user_name);

CREATE TABLE inventory_group (
  group_id     VARCHAR(64)  NOT NULL PRIMARY KEY,
  display_name VARCHAR(1024) NOT NULL,
  description  VARCHAR(1024)
);

CREATE TABLE inventory_membership (
  group_id VARCHAR(64) NOT NULL,
  user_id  VARCHAR(64) NOT NULL,
  PRIMARY KEY (group_id, user_id)
);

CREATE TABLE inventory_permission_set (
  arn              VARCHAR(256)   NOT NULL PRIMARY KEY,
  name             VARCHAR(32)    NOT NULL,
  description      VARCHAR(700),
  session_duration VARCHAR(32),
  inline_policy    VARCHAR(32768),
  managed_policies VARCHAR(8000),
  request_id       VARCHAR(36)
);

CREATE INDEX inventory_permission_set_name ON inventory_permission_set (name);

CREATE TABLE inventory_assignment (
  account_id         VARCHAR(12)  NOT NULL,
  permission_set_arn VARCHAR(256) NOT NULL,
  principal_type     VARCHAR(8)   NOT NULL,
  principal_id       VARCHAR(64)  NOT NULL,
  PRIMARY KEY (account_id, permission_set_arn, principal_type, principal_id)
);

-- Craft: a request may ask for a least-privilege policy instead of an existing permission set.
-- The policy is rendered at submit time and stored, so the approver reviews exactly what will
-- be granted; the permission set's ARN is known only once it is created at grant time.
ALTER TABLE access_request ADD COLUMN craft_template VARCHAR(32);
ALTER TABLE access_request ADD COLUMN craft_policy VARCHAR(32768);
ALTER TABLE access_request ALTER COLUMN permission_set_arn DROP NOT NULL;

-- Every permission set Airlock created, recorded in its own transaction right after AWS
-- created it, so neither a crash nor a rolled-back grant can leave one Airlock forgets.
CREATE TABLE crafted_permission_set (
  arn        VARCHAR(256) NOT NULL PRIMARY KEY,
  name       VARCHAR(32)  NOT NULL,
  request_id VARCHAR(36)  NOT NULL,
  account_id VARCHAR(12)  NOT NULL,
  created_at TIMESTAMP    NOT NULL,
  deleted_at TIMESTAMP
);

CREATE INDEX crafted_permission_set_request ON crafted_permission_set (request_id);
