-- A request may replace another (issue: lifecycle): an approver's edit of a pending request,
-- or a rework (shorter, longer) of active access. The new request goes through policy and
-- review on its own; the one it replaces ends SUPERSEDED, pointing at it.
-- changed_by: who edited or reworked (an editor never reviews the edited request).
-- chain_start: when the first grant of a chain of reworks began, so the policy bounds the
--   whole span, not each piece.
ALTER TABLE access_request ADD COLUMN supersedes VARCHAR(36);
ALTER TABLE access_request ADD COLUMN superseded_by VARCHAR(36);
ALTER TABLE access_request ADD COLUMN changed_by VARCHAR(128);
ALTER TABLE access_request ADD COLUMN chain_start TIMESTAMP;
