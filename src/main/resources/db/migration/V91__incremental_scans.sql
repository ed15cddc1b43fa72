-- Incremental scans (issue 25): the head row says whether the last scan read everything or only
-- what CloudTrail named as changed, and when everything was last read (the schedule reads
-- everything again once airlock.inventory.scan.full-every has passed). Left empty on upgrade: the
-- first scan after it reads everything. Runs on H2 and PostgreSQL.

ALTER TABLE inventory_scan ADD COLUMN kind VARCHAR(16);
ALTER TABLE inventory_scan ADD COLUMN full_scan_at TIMESTAMP;
ALTER TABLE inventory_scan ADD COLUMN changes_read INT;
