package io.airlock.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.activity.ActivitySource;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.CloudTrailService;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.sandbox.SandboxSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;

/** CloudTrail's quota of 2 LookupEvents calls a second per account and region, as Airlock keeps it. */
class CloudTrailQuotaTest {

  @Test
  void permitsComeEveryHalfSecondPerAccountAndRegionAndAccountsDoNotWaitForEachOther() {
    CloudTrailQuota quota = new CloudTrailQuota(2, Duration.ofSeconds(10));
    var staging = quota.interceptor("333333333333", "us-east-1");
    List<Long> at = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      staging.beforeTransmission(null, null);
      at.add(System.nanoTime());
    }
    // The first permit is at once, the second at the next half-second boundary, then one every 500 ms:
    // never more than a token bucket of 2 refilled at 2 a second (AWS's quota) lets through.
    for (int i = 2; i < at.size(); i++) {
      assertThat(Duration.ofNanos(at.get(i) - at.get(i - 1))).as("gap before call %d", i)
          .isGreaterThan(Duration.ofMillis(450));
    }
    assertThat(Duration.ofNanos(at.get(4) - start)).isGreaterThan(Duration.ofMillis(1500));

    long other = System.nanoTime();
    quota.interceptor("444444444444", "us-east-1").beforeTransmission(null, null);
    quota.interceptor("333333333333", "eu-west-1").beforeTransmission(null, null);
    assertThat(Duration.ofNanos(System.nanoTime() - other)).isLessThan(Duration.ofMillis(200));
    // the same account and region share one limiter, whoever asks
    assertThat(quota.limiter("333333333333", "us-east-1")).isSameAs(quota.limiter("333333333333", "us-east-1"));
  }

  /**
   * Through the emulator, which throttles like AWS (a bucket of 2 refilled at 2 a second), with
   * the SDK's retries off: every page of a long lookup passes, none is throttled.
   */
  @Test
  void aLongLookupOverTheEmulatorIsNeverThrottled() {
    try (AwsSandbox sandbox = AwsSandbox.start(SandboxSettings.defaults().withPort(0))) {
      Instant t = Instant.now().minus(1, ChronoUnit.HOURS);
      for (int i = 0; i < 260; i++) {
        sandbox.cloudTrail().record(DemoOrganization.MANAGEMENT_ACCOUNT_ID, "us-east-1", CloudTrailService.ssoEvent(
            DemoOrganization.MANAGEMENT_ACCOUNT_ID, "alice", "ReadOnlyAccess", "s3.amazonaws.com", "GetObject", true,
            t.plusSeconds(i)));
      }
      CloudTrailQuota quota = new CloudTrailQuota(2, Duration.ofSeconds(10));
      try (CloudTrailActivitySource source = new CloudTrailActivitySource((acct, region) -> CloudTrailClient.builder()
          .endpointOverride(sandbox.endpoint()).region(Region.of(region))
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIATEST", "secret")))
          .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
              .addExecutionInterceptor(quota.interceptor(acct, region)))
          .build())) {
        ActivitySource.Lookup first = source.lookup(DemoOrganization.MANAGEMENT_ACCOUNT_ID, "us-east-1", "alice", t,
            Instant.now(), 10_000);
        ActivitySource.Lookup again = source.lookup(DemoOrganization.MANAGEMENT_ACCOUNT_ID, "us-east-1", "alice", t,
            Instant.now(), 120);

        assertThat(first.events()).hasSize(260);
        assertThat(first.calls()).isEqualTo(6); // 50 a page
        assertThat(first.truncated()).isFalse();
        assertThat(again.events()).hasSize(120);
        assertThat(again.truncated()).isTrue();
        assertThat(sandbox.cloudTrail().lookups()).hasSize(9).noneMatch(CloudTrailService.Lookup::throttled);
      }
    }
  }
}
