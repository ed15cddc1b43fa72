-- Airlock's own tables. Runs on H2 and PostgreSQL alike: keep to portable SQL.

CREATE TABLE access_request (
  id                 VARCHAR(36)   NOT NULL PRIMARY KEY,
  system             VARCHAR(16)   NOT NULL,
  target             VARCHAR(12)   NOT NULL,
  principal          VARCHAR(128)  NOT NULL,
  principal_id       VARCHAR(64)   NOT NULL,
  permission         VARCHAR(64)   NOT NULL,
  permission_set_arn VARCHAR(256)  NOT NULL,
  duration           VARCHAR(32)   NOT NULL,
  justification      VARCHAR(1000) NOT NULL,
  ticket             VARCHAR(64),
  requester          VARCHAR(128)  NOT NULL,
  status             VARCHAR(32)   NOT NULL,
  scope_name         VARCHAR(128),
  approver_groups    VARCHAR(512),
  decision_outcome   VARCHAR(16),
  decision_reason    VARCHAR(512),
  reviewer           VARCHAR(128),
  review_comment     VARCHAR(1000),
  reviewed_at        TIMESTAMP,
  grant_start        TIMESTAMP,
  grant_end          TIMESTAMP,
  revoked_at         TIMESTAMP,
  created_at         TIMESTAMP     NOT NULL,
  updated_at         TIMESTAMP     NOT NULL
);

CREATE INDEX access_request_requester ON access_request (requester, created_at);
CREATE INDEX access_request_assignment ON access_request (target, principal_id, permission_set_arn, status);

-- Append-only audit log; each row's hash covers the previous row's hash (tamper evidence).
CREATE TABLE audit_event (
  seq          BIGINT        NOT NULL PRIMARY KEY,
  occurred_at  TIMESTAMP     NOT NULL,
  actor        VARCHAR(128)  NOT NULL,
  action       VARCHAR(64)   NOT NULL,
  request_id   VARCHAR(36),
  details      VARCHAR(16000) NOT NULL,
  prev_hash    VARCHAR(64)   NOT NULL,
  hash         VARCHAR(64)   NOT NULL
);

CREATE INDEX audit_event_request ON audit_event (request_id, seq);

-- The head of the hash chain; locked (SELECT ... FOR UPDATE) by every writer, so the chain
-- stays linear across threads and cluster nodes.
CREATE TABLE audit_chain (
  id        INT          NOT NULL PRIMARY KEY,
  last_seq  BIGINT       NOT NULL,
  last_hash VARCHAR(64)  NOT NULL
);

INSERT INTO audit_chain (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
