package io.airlock.aws;

import io.airlock.health.TimeBoundedHealthIndicator;
import java.time.Duration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;

/**
 * Health component {@code aws}, part of readiness: whether IAM Identity Center answers Airlock
 * (endpoint reachable, credentials and integration role valid). One cheap read-only call,
 * {@code ListInstances} with a page of one, all attempts within {@link #TIMEOUT}, at most every
 * {@link #CACHE} whatever the probes ask, so a probe never waits long and spends one call of the
 * 20-a-second quota per node and half minute. A probe waits at most
 * {@link TimeBoundedHealthIndicator#DEADLINE} (1.5 s) for the call; a slower answer still lands in
 * the cache for the probes after it.
 */
@Component("aws")
class AwsHealthIndicator implements HealthIndicator {

  static final Duration CACHE = Duration.ofSeconds(30);
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final SsoAdminClient ssoAdmin;
  private final HealthIndicator bounded =
      new TimeBoundedHealthIndicator("AWS (sso-admin:ListInstances)", this::cached);
  private volatile Health last;
  private volatile long checkedAt;

  AwsHealthIndicator(SsoAdminClient ssoAdmin) {
    this.ssoAdmin = ssoAdmin;
  }

  @Override
  public Health health() {
    return bounded.health();
  }

  private Health cached() {
    Health cached = last;
    if (cached != null && System.nanoTime() - checkedAt < CACHE.toNanos()) {
      return cached;
    }
    synchronized (this) {
      if (last == null || System.nanoTime() - checkedAt >= CACHE.toNanos()) {
        last = check();
        checkedAt = System.nanoTime();
      }
      return last;
    }
  }

  private Health check() {
    try {
      var answer = ssoAdmin.listInstances(r -> r.maxResults(1).overrideConfiguration(o -> o
          .apiCallTimeout(TIMEOUT).apiCallAttemptTimeout(TIMEOUT)));
      return Health.up().withDetail("operation", "sso-admin:ListInstances")
          .withDetail("instanceFound", !answer.instances().isEmpty()).build();
    } catch (AwsServiceException e) {
      return Health.down().withDetail("operation", "sso-admin:ListInstances")
          .withDetail("error", e.awsErrorDetails() == null ? String.valueOf(e.statusCode()) : e.awsErrorDetails().errorCode())
          .build();
    } catch (SdkException e) {
      return Health.down().withDetail("operation", "sso-admin:ListInstances")
          .withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
    }
  }
}
