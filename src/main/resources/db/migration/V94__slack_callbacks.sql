-- Slack's callbacks seen in the last minutes (README, "Approve in Slack"): the SHA-256 of each
-- signed callback's timestamp and body, so the same signed bytes sent again inside the signature's
-- five-minute window (a replay) are refused on every node. Rows older than the window are deleted
-- as callbacks arrive. Runs on H2 and PostgreSQL.

CREATE TABLE slack_callback (
  digest   VARCHAR(64)  NOT NULL PRIMARY KEY,
  seen_at  TIMESTAMP    NOT NULL
);

CREATE INDEX slack_callback_seen_at ON slack_callback (seen_at);
