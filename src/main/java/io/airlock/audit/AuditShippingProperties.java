package io.airlock.audit;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Shipping the audit log to S3 ({@code airlock.audit.shipping.*}).
 *
 * @param enabled      ship at all (off unless configured; on with the sandbox, to its bucket)
 * @param bucket       the S3 bucket
 * @param prefix       key prefix; objects are {@code prefix/yyyy/mm/dd/<first>-<last>-<chain head>.jsonl.gz}
 * @param batchSize    most events in one object
 * @param initialDelay first run after start-up
 * @param interval     how often the shipper looks for new events; also the first back-off step
 * @param maxBackoff   the longest wait between attempts while S3 fails (doubling from {@code interval})
 * @param maxLag       shipping is "behind" (health WARNING) when the oldest unshipped event is older
 * @param objectLock   AUTO (ask the bucket: GetObjectLockConfiguration), ON, OFF
 * @param lockMode     COMPLIANCE or GOVERNANCE
 * @param retention    how long each object is locked
 */
@Validated
@ConfigurationProperties(prefix = "airlock.audit.shipping")
public record AuditShippingProperties(
    boolean enabled,
    String bucket,
    @NotNull @Pattern(regexp = "[A-Za-z0-9!_.*'()/-]{0,200}", message = "must be an S3 key prefix of safe characters")
    String prefix,
    @Min(1) @Max(10000) int batchSize,
    @NotNull Duration initialDelay,
    @NotNull Duration interval,
    @NotNull Duration maxBackoff,
    @NotNull Duration maxLag,
    @NotNull ObjectLock objectLock,
    @NotNull LockMode lockMode,
    @NotNull Duration retention) {

  public enum ObjectLock { AUTO, ON, OFF }

  public enum LockMode { COMPLIANCE, GOVERNANCE }

  @AssertTrue(message = "airlock.audit.shipping.bucket must be set when shipping is enabled")
  boolean isBucketSetWhenEnabled() {
    return !enabled || (bucket != null && !bucket.isBlank());
  }

  /** The prefix without leading or trailing slashes, followed by one slash ("" when empty). */
  public String keyPrefix() {
    String p = prefix.replaceAll("^/+|/+$", "");
    return p.isEmpty() ? "" : p + "/";
  }
}
