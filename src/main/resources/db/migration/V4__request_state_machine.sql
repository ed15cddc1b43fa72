-- The request's state machine lives here, not in process variables (issue: security).
-- process_instance_id: the one process instance that may drive this request; a step that
--   arrives from any other instance (started at another activity, restarted, forged business
--   key) is refused.
-- requester_groups: the requester's groups when they submitted, the policy's input.
-- review_outcome: what the recorded review decided (APPROVE / DENY); grant needs it or the
--   policy's APPROVE.
-- revoke_requested_*: an entitled actor (or the reconciler) asked to end the access early;
--   without it, only the clock (grant_end) allows a revoke.
ALTER TABLE access_request ADD COLUMN process_instance_id VARCHAR(64);
ALTER TABLE access_request ADD COLUMN requester_groups VARCHAR(4000);
ALTER TABLE access_request ADD COLUMN max_duration_minutes BIGINT;
ALTER TABLE access_request ADD COLUMN review_outcome VARCHAR(16);
ALTER TABLE access_request ADD COLUMN revoke_requested_by VARCHAR(128);
ALTER TABLE access_request ADD COLUMN revoke_requested_at TIMESTAMP;
ALTER TABLE access_request ADD COLUMN revoke_reason VARCHAR(512);

CREATE INDEX access_request_status ON access_request (status);
