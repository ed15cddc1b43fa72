package io.airlock.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.sandbox.SandboxSettings;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.ThrottlingException;

/**
 * The quota interceptor keeps a burst of parallel calls, paginated ones included, under an
 * emulator that throttles like AWS: with it nothing is throttled, without it the same burst is.
 */
class IdentityCenterQuotaTest {

  static AwsSandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = AwsSandbox.start(SandboxSettings.defaults().withPort(0).withOperationDelay(Duration.ZERO)
        .withMaxCallsPerSecond(10));
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void aBurstOfPaginatedCallsStaysUnderTheQuota() throws Exception {
    sandbox.state().resetCounters();
    try (SsoAdminClient client = client(new IdentityCenterQuota(9, Duration.ofSeconds(30)))) {
      int pages = burst(client, 6);
      assertThat(pages).isEqualTo(6 * 4); // 4 permission sets, one per page
    }
    assertThat(sandbox.state().throttledCalls()).isZero();
    assertThat(sandbox.state().callCount("ListPermissionSets")).isEqualTo(6 * 4);
  }

  @Test
  void aBurstAtExactlyTheEmulatorsLimitIsNotThrottledEither() throws Exception {
    // A slot is held from sending until a second after the answer, so however the server
    // delays single calls, no one-second window there sees more calls than the quota allows.
    sandbox.state().resetCounters();
    try (SsoAdminClient client = client(new IdentityCenterQuota(10, Duration.ofSeconds(30)))) {
      assertThat(burst(client, 6)).isEqualTo(6 * 4);
    }
    assertThat(sandbox.state().throttledCalls()).isZero();
  }

  @Test
  void withoutTheQuotaTheSameBurstIsThrottled() {
    sandbox.state().resetCounters();
    try (SsoAdminClient client = client(null)) {
      assertThatThrownBy(() -> burst(client, 6)).hasRootCauseInstanceOf(ThrottlingException.class);
    }
    assertThat(sandbox.state().throttledCalls()).isPositive();
  }

  // ---- revokes first ------------------------------------------------------------------------

  @Test
  void otherCallsLeaveTheReservedSlotToUrgentOnes() {
    IdentityCenterQuota quota = new IdentityCenterQuota(3, 1, Duration.ofMillis(300));
    quota.take(false);
    quota.take(false);
    assertThatThrownBy(() -> quota.take(false)).hasMessageContaining("stayed saturated");
    assertThat(quota.take(true)).isNotNull();
    assertThatThrownBy(() -> quota.take(true)).hasMessageContaining("stayed saturated");
  }

  @Test
  void aWaitingUrgentCallTakesTheNextFreeSlotBeforeWaitingGrants() throws Exception {
    IdentityCenterQuota quota = new IdentityCenterQuota(3, 1, Duration.ofSeconds(30));
    IdentityCenterQuota.Slot first = quota.take(false);
    quota.take(false);
    quota.take(true);
    List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> grant = pool.submit(() -> {
        quota.take(false);
        order.add("grant");
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> waiting(quota) == 1);
      Future<?> revoke = pool.submit(() -> {
        quota.take(true);
        order.add("revoke");
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> waiting(quota) == 2);
      quota.end(first); // one slot frees a second from now: the revoke's, though the grant asked first
      revoke.get(10, TimeUnit.SECONDS);
      assertThat(order).containsExactly("revoke");
      assertThat(grant.isDone()).isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void deleteAccountAssignmentIsUrgentAtTheSdkLevelToo() {
    // 2 calls a second, 1 reserved: one listing fills the rest, a second listing waits in vain,
    // a DeleteAccountAssignment passes at once (AWS answers it; here: not found).
    sandbox.state().resetCounters();
    try (SsoAdminClient client = client(new IdentityCenterQuota(2, 1, Duration.ofMillis(300)))) {
      client.listPermissionSets(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN));
      assertThatThrownBy(() -> client.listPermissionSets(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)))
          .hasMessageContaining("stayed saturated");
      assertThatThrownBy(() -> client.deleteAccountAssignment(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
          .targetId("111111111111").targetType("AWS_ACCOUNT").principalType("USER").principalId("nobody")
          .permissionSetArn(DemoOrganization.INSTANCE_ARN + "/ps-nothere")))
          .isInstanceOf(software.amazon.awssdk.awscore.exception.AwsServiceException.class);
    }
    assertThat(sandbox.state().callCount("DeleteAccountAssignment")).isEqualTo(1);
  }

  private static int waiting(IdentityCenterQuota quota) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.WAITING)
        .filter(t -> java.util.Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("take")
            && f.getClassName().equals(IdentityCenterQuota.class.getName())))
        .mapToInt(t -> 1).sum();
  }

  /** Lists all permission sets one per page, {@code parallel} times at once; returns pages seen. */
  private static int burst(SsoAdminClient client, int parallel) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < parallel; i++) {
        results.add(pool.submit(() -> (int) client.listPermissionSetsPaginator(r -> r
            .instanceArn(DemoOrganization.INSTANCE_ARN).maxResults(1)).stream().count()));
      }
      int pages = 0;
      for (Future<Integer> f : results) {
        pages += f.get();
      }
      return pages;
    } finally {
      // Let calls still in flight finish, so none is counted by the next test.
      pool.shutdown();
      assertThat(pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
  }

  private static SsoAdminClient client(IdentityCenterQuota quota) {
    ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry());
    if (quota != null) {
      override.addExecutionInterceptor(quota);
    }
    return SsoAdminClient.builder()
        .endpointOverride(sandbox.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .overrideConfiguration(override.build())
        .build();
  }
}
