package io.airlock.aws;

import io.airlock.audit.AuditArchive;
import io.airlock.audit.AuditShippingProperties;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The audit archive in an S3 bucket. Objects are written with S3 Object Lock (mode and
 * retention from configuration) when the bucket has it enabled: asked once with
 * GetObjectLockConfiguration ({@code object-lock: AUTO}) or configured ({@code ON}, {@code OFF}).
 * Each put carries a SHA-256 checksum, which S3 requires with Object Lock and checks always.
 */
class S3AuditArchive implements AuditArchive {

  private static final Logger log = LoggerFactory.getLogger(S3AuditArchive.class);

  private final S3Client s3;
  private final AuditShippingProperties properties;
  private final Clock clock;
  private volatile Boolean objectLock;

  S3AuditArchive(S3Client s3, AuditShippingProperties properties, Clock clock) {
    this.s3 = s3;
    this.properties = properties;
    this.clock = clock;
  }

  @Override
  public void put(String key, byte[] content, Map<String, String> metadata) {
    PutObjectRequest.Builder put = PutObjectRequest.builder()
        .bucket(properties.bucket())
        .key(key)
        .contentType("application/x-ndjson")
        .contentEncoding("gzip")
        .metadata(metadata)
        .checksumAlgorithm(ChecksumAlgorithm.SHA256);
    if (objectLock()) {
      put.objectLockMode(properties.lockMode() == AuditShippingProperties.LockMode.COMPLIANCE
              ? ObjectLockMode.COMPLIANCE : ObjectLockMode.GOVERNANCE)
          .objectLockRetainUntilDate(clock.instant().plus(properties.retention()));
    }
    s3.putObject(put.build(), RequestBody.fromBytes(content));
  }

  @Override
  public List<String> keys(String prefix) {
    return s3.listObjectsV2Paginator(r -> r.bucket(properties.bucket()).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .toList();
  }

  @Override
  public byte[] get(String key) {
    return s3.getObjectAsBytes(r -> r.bucket(properties.bucket()).key(key)).asByteArray();
  }

  @Override
  public String location(String key) {
    return "s3://" + properties.bucket() + "/" + key;
  }

  /** Whether to lock objects; AUTO asks the bucket once (a failure to ask is retried with the put). */
  boolean objectLock() {
    Boolean known = objectLock;
    if (known != null) {
      return known;
    }
    boolean lock = switch (properties.objectLock()) {
      case ON -> true;
      case OFF -> false;
      case AUTO -> bucketHasObjectLock();
    };
    log.info("Audit shipping to s3://{}/{}: Object Lock {}", properties.bucket(), properties.keyPrefix(),
        lock ? properties.lockMode() + " for " + properties.retention() : "off");
    objectLock = lock;
    return lock;
  }

  private boolean bucketHasObjectLock() {
    try {
      return s3.getObjectLockConfiguration(r -> r.bucket(properties.bucket())).objectLockConfiguration()
          .objectLockEnabled() == ObjectLockEnabled.ENABLED;
    } catch (S3Exception e) {
      if (e.awsErrorDetails() != null && "ObjectLockConfigurationNotFoundError".equals(e.awsErrorDetails().errorCode())) {
        return false;
      }
      throw e;
    }
  }
}
