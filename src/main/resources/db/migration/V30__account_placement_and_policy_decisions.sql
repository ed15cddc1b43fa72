-- Issue 9: policy reads where an account sits (its organizational unit path) and its tags,
-- so that one rule covers "every account tagged environment=production" or "everything under
-- OU Workloads/Prod". Runs on H2 and PostgreSQL alike.
ALTER TABLE inventory_account ADD COLUMN ou_path VARCHAR(1024);

CREATE TABLE inventory_account_tag (
  account_id VARCHAR(12)  NOT NULL,
  tag_key    VARCHAR(128) NOT NULL,
  tag_value  VARCHAR(256) NOT NULL,
  PRIMARY KEY (account_id, tag_key)
);

-- Every evaluation of a decision table for a request: which definition (id and version)
-- judged it, the variables it was given, the rules that matched and what they output. Written
-- in the transaction of the step that decided, never changed afterwards: a redeployed table
-- does not change how an already-decided request was judged, and the simulation replays the
-- recorded variables against a candidate table.
CREATE TABLE policy_decision (
  id                     VARCHAR(36)   NOT NULL PRIMARY KEY,
  request_id             VARCHAR(36)   NOT NULL,
  decision_key           VARCHAR(64)   NOT NULL,
  decision_definition_id VARCHAR(64)   NOT NULL,
  decision_version       INT           NOT NULL,
  evaluated_at           TIMESTAMP     NOT NULL,
  variables              VARCHAR(16000) NOT NULL,
  matched_rules          VARCHAR(4000) NOT NULL,
  outputs                VARCHAR(8000) NOT NULL
);

CREATE INDEX policy_decision_request ON policy_decision (request_id, evaluated_at);
CREATE INDEX policy_decision_key ON policy_decision (decision_key, evaluated_at);
