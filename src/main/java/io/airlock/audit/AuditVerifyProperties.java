package io.airlock.audit;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The audit log's own verification ({@code airlock.audit.verify.*}, README "Audit verification").
 *
 * @param scheduled    verify on a schedule at all (on one node of the cluster at a time)
 * @param initialDelay the first check, in full, after start-up
 * @param interval     how often the entries written since the last check are verified
 * @param fullInterval how often the whole chain is verified, and compared with the shipped anchors
 */
@Validated
@ConfigurationProperties(prefix = "airlock.audit.verify")
public record AuditVerifyProperties(
    boolean scheduled,
    @NotNull Duration initialDelay,
    @NotNull Duration interval,
    @NotNull Duration fullInterval) {

  @AssertTrue(message = "airlock.audit.verify.interval and full-interval must be positive, initial-delay not negative")
  boolean isTimingValid() {
    return initialDelay == null || interval == null || fullInterval == null
        || !initialDelay.isNegative() && !interval.isNegative() && !interval.isZero() && !fullInterval.isNegative() && !fullInterval.isZero();
  }
}
