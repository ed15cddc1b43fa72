package io.airlock.audit;

import java.util.List;
import java.util.Map;

/**
 * Where the audit log is shipped, outside Airlock's database (S3: {@code aws/S3AuditArchive}).
 * Objects once written are not changed (S3 Object Lock, where the bucket has it).
 */
public interface AuditArchive {

  /** Stores an object (gzip-compressed JSON Lines) with user metadata. */
  void put(String key, byte[] content, Map<String, String> metadata);

  /** Every key that starts with {@code prefix}, in key order. */
  List<String> keys(String prefix);

  /** The object's content. */
  byte[] get(String key);

  /** Where a key lives, for people: {@code s3://bucket/key}. */
  String location(String key);
}
