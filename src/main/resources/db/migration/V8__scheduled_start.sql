-- Scheduled start (issue: lifecycle): an approved request waits for start_at before the grant.
ALTER TABLE access_request ADD COLUMN start_at TIMESTAMP;
