-- Changes to the membership of Airlock's groups (airlock.groups.*, the monitoring group), asked
-- for through POST /api/memberships and reviewed by a second person (bpmn/group-membership-change.bpmn).
-- The row, not the process, is the gate: the change is applied only when it is APPROVED by an
-- eligible reviewer recorded here.
CREATE TABLE membership_change (
  id                  VARCHAR(36)   NOT NULL PRIMARY KEY,
  user_id             VARCHAR(128)  NOT NULL,
  group_id            VARCHAR(128)  NOT NULL,
  change_kind         VARCHAR(8)    NOT NULL,
  reason              VARCHAR(2000) NOT NULL,
  requested_by        VARCHAR(128)  NOT NULL,
  requested_at        TIMESTAMP     NOT NULL,
  status              VARCHAR(16)   NOT NULL,
  decided_by          VARCHAR(128),
  decided_at          TIMESTAMP,
  decision_comment    VARCHAR(2000),
  changed_at          TIMESTAMP,
  process_instance_id VARCHAR(64)
);

CREATE INDEX membership_change_status ON membership_change (status, requested_at);
