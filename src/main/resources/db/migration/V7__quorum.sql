-- Quorum (issue: lifecycle): a scope may require N approvals from N different approvers.
-- Each approval is a row; the request is granted once it has approvals_required of them.
ALTER TABLE access_request ADD COLUMN approvals_required INT;

CREATE TABLE request_approval (
  request_id  VARCHAR(36)  NOT NULL,
  approver    VARCHAR(128) NOT NULL,
  approved_at TIMESTAMP    NOT NULL,
  PRIMARY KEY (request_id, approver)
);
