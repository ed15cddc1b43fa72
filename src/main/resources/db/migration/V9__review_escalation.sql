-- Escalation (issue: lifecycle): the scope names a group that may also review once a review
-- has waited too long; it joins approver_groups when the review is escalated.
ALTER TABLE access_request ADD COLUMN escalation_group VARCHAR(128);
