-- The parameters of a crafted request (template with its buckets or services, or a custom
-- policy), kept as the requester gave them, so that a clone, an approver's edit, a rework and a
-- saved template file the same least-privilege policy again (issue: lifecycle). The rendered
-- policy stays in craft_policy: it is what the approver reviewed and what is granted.
ALTER TABLE access_request ADD COLUMN craft_spec VARCHAR(32768);
ALTER TABLE request_template ADD COLUMN craft_spec VARCHAR(32768);
ALTER TABLE request_template ALTER COLUMN permission DROP NOT NULL;
