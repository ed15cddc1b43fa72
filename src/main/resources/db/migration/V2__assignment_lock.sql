-- One row per assignment (account, permission set, user) that Airlock ever granted. Grant and
-- revoke of the same assignment lock this row (SELECT ... FOR UPDATE) for their whole
-- transaction, AWS calls included, so a revoke can never remove access that a concurrent
-- grant of another request has just put in place (or found in place).
CREATE TABLE assignment_lock (
  account_id         VARCHAR(12)  NOT NULL,
  permission_set_arn VARCHAR(256) NOT NULL,
  principal_id       VARCHAR(64)  NOT NULL,
  PRIMARY KEY (account_id, permission_set_arn, principal_id)
);
