-- How far the audit log has been shipped to S3: the last entry in the archive and its hash
-- (the chain head the last object ends at). Locked (SELECT ... FOR UPDATE) by the shipper for
-- the length of a batch, so that nodes of a cluster never ship the same entries twice; moved in
-- the same transaction, after the object is stored, so that no entry is skipped.
CREATE TABLE audit_shipping (
  id          INT           NOT NULL PRIMARY KEY,
  last_seq    BIGINT        NOT NULL,
  last_hash   VARCHAR(64)   NOT NULL,
  last_key    VARCHAR(1024),
  shipped_at  TIMESTAMP
);

INSERT INTO audit_shipping (id, last_seq, last_hash, last_key, shipped_at)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', NULL, NULL);
