-- When the principal was told that their access ends soon (issue: Tasklist and notifications):
-- set once, by whichever node claims it first, so nobody is told twice.
ALTER TABLE access_request ADD COLUMN ending_notice_at TIMESTAMP;
