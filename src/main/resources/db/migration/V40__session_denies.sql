-- Denies that end a principal's live sessions of a permission set in an account after a revoke
-- (io.airlock.request.SessionTermination). One row per permission set, account and user while
-- the deny is in AWS; the scheduled clean-up removes the deny from AWS once expires_at (the
-- revoke plus the set's session duration) has passed, and deletes the row. History is in the
-- audit log (sessions.ended, sessions.deny-removed).
CREATE TABLE session_deny (
  permission_set_arn  VARCHAR(256) NOT NULL,
  account_id          VARCHAR(12)  NOT NULL,
  principal_id        VARCHAR(64)  NOT NULL,
  request_id          VARCHAR(36)  NOT NULL,
  issued_before       TIMESTAMP    NOT NULL,
  placed_at           TIMESTAMP    NOT NULL,
  expires_at          TIMESTAMP    NOT NULL,
  PRIMARY KEY (permission_set_arn, account_id, principal_id)
);

CREATE INDEX session_deny_expiry ON session_deny (expires_at);

-- Serializes changes to one permission set's inline policy (read, change, write, provision)
-- across threads and nodes: held (SELECT ... FOR UPDATE) for the whole transaction.
CREATE TABLE permission_set_lock (
  permission_set_arn  VARCHAR(256) NOT NULL PRIMARY KEY
);
