package io.airlock.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssoadmin.model.PrincipalType;
import software.amazon.awssdk.services.ssoadmin.model.TargetType;

class DelaySpreadTest {

  @Test
  void parsesTheRangeAndRefusesAnythingElse() {
    DelaySpread spread = DelaySpread.parse("0.5s..10s", 7);
    assertThat(spread.min()).isEqualTo(Duration.ofMillis(500));
    assertThat(spread.max()).isEqualTo(Duration.ofSeconds(10));
    assertThat(DelaySpread.parse("200ms .. 1.5s", 1).max()).isEqualTo(Duration.ofMillis(1500));
    assertThat(DelaySpread.parse("", 1)).isNull();
    assertThat(DelaySpread.parse(null, 1)).isNull();
    assertThatThrownBy(() -> DelaySpread.parse("0.5..10", 1)).hasMessageContaining("0.5s..10s")
        .hasMessageContaining("'0.5..10'");
    assertThatThrownBy(() -> DelaySpread.parse("10s..1s", 1)).hasMessageContaining("above its minimum");
    assertThatThrownBy(() -> DelaySpread.parse("0s..1s", 1)).hasMessageContaining("positive");
  }

  @Test
  void drawsALongTailedSpreadWithinTheRangeTheSameForTheSameSeed() {
    DelaySpread spread = DelaySpread.parse("0.5s..10s", 42);
    long[] a = draw(spread, 20_000);
    long[] b = draw(spread, 20_000);
    assertThat(a).isEqualTo(b);
    long[] sorted = a.clone();
    Arrays.sort(sorted);
    assertThat(sorted[0]).isEqualTo(500_000_000L);
    assertThat(sorted[sorted.length - 1]).isEqualTo(10_000_000_000L);
    double median = sorted[sorted.length / 2] / 1e9;
    double mean = Arrays.stream(a).average().orElseThrow() / 1e9;
    // median exp(mu) = 1.73 s; the tail pulls the mean above it (about 2.3 s)
    assertThat(median).isBetween(1.6, 1.86);
    assertThat(mean).isBetween(2.15, 2.45);
    long atMin = Arrays.stream(a).filter(n -> n == 500_000_000L).count();
    long atMax = Arrays.stream(a).filter(n -> n == 10_000_000_000L).count();
    assertThat(atMin / 20_000.0).isBetween(0.04, 0.06);   // 5th percentile
    assertThat(atMax / 20_000.0).isBetween(0.005, 0.015); // 99th percentile
  }

  @Test
  void theEmulatorKeepsAnAssignmentInProgressForADrawnDelay() {
    SandboxSettings settings = new SandboxSettings(0, Duration.ofSeconds(1), 100, 15, "x")
        .withOperationDelaySpread(DelaySpread.parse("2s..3s", 1));
    try (AwsSandbox sandbox = AwsSandbox.start(settings); SdkClients aws = new SdkClients(sandbox)) {
      var created = aws.ssoAdmin.createAccountAssignment(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
          .targetId(DemoOrganization.SANDBOX_ACCOUNT_ID).targetType(TargetType.AWS_ACCOUNT)
          .permissionSetArn(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN)
          .principalType(PrincipalType.USER).principalId(DemoOrganization.ALICE_USER_ID));
      String id = created.accountAssignmentCreationStatus().requestId();
      java.util.function.Supplier<String> status = () -> aws.ssoAdmin.describeAccountAssignmentCreationStatus(
          r -> r.instanceArn(DemoOrganization.INSTANCE_ARN).accountAssignmentCreationRequestId(id))
          .accountAssignmentCreationStatus().statusAsString();
      // past the fixed delay (1 s), still within the drawn one (2 s at least)
      org.awaitility.Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofMillis(1900))
          .pollInterval(Duration.ofMillis(100)).until(() -> status.get().equals("IN_PROGRESS"));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> status.get().equals("SUCCEEDED"));
    }
  }

  private static long[] draw(DelaySpread spread, int n) {
    DelaySpread.Sampler s = spread.sampler();
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = s.next().toNanos();
    }
    return out;
  }
}
