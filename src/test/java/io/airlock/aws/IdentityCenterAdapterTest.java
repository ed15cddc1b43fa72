package io.airlock.aws;

import static io.airlock.sandbox.DemoOrganization.ALICE_USER_ID;
import static io.airlock.sandbox.DemoOrganization.READ_ONLY_PERMISSION_SET_ARN;
import static io.airlock.sandbox.DemoOrganization.SANDBOX_ACCOUNT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.config.AirlockProperties;
import io.airlock.request.AccessGateway.Assignment;
import io.airlock.request.AccessGateway.OperationResult;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.SandboxSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.identitystore.IdentitystoreClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;

/**
 * The adapter against the emulator over HTTP. Grant and revoke rely on AWS being idempotent
 * instead of looking first, and a first poll as late as AWS's latency makes a grant two calls.
 */
class IdentityCenterAdapterTest {

  static final Duration LATENCY = Duration.ofMillis(300);
  static final Assignment ALICE_READ_ONLY = new Assignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID);

  static AwsSandbox sandbox;
  static SsoAdminClient ssoAdmin;
  static IdentitystoreClient identityStore;
  static OrganizationsClient organizations;
  static IdentityCenterAdapter adapter;

  @BeforeAll
  static void start() {
    sandbox = AwsSandbox.start(SandboxSettings.defaults().withPort(0).withOperationDelay(LATENCY));
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    ssoAdmin = SsoAdminClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    identityStore = IdentitystoreClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    organizations = OrganizationsClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    adapter = new IdentityCenterAdapter(ssoAdmin, identityStore, organizations, properties(LATENCY));
    assertThat(adapter.findUserId("alice")).contains(ALICE_USER_ID); // discovers the instance once
  }

  @AfterAll
  static void stop() {
    ssoAdmin.close();
    identityStore.close();
    organizations.close();
    sandbox.close();
  }

  @BeforeEach
  void reset() {
    sandbox.state().reset();
  }

  @Test
  void aGrantIsOneCreateAndOneDescribeWhenTheFirstPollWaitsAsLongAsAws() {
    OperationResult result = adapter.grant(ALICE_READ_ONLY);

    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(result.operationId()).isNotBlank();
    assertThat(result.awsRequestIds()).hasSize(2);
    assertThat(sandbox.state().hasAssignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, "USER", ALICE_USER_ID))
        .isTrue();
    assertThat(sandbox.state().callCounts()).isEqualTo(Map.of(
        "CreateAccountAssignment", 1L, "DescribeAccountAssignmentCreationStatus", 1L));
  }

  @Test
  void grantingAnAssignmentThatIsThereSucceedsWithoutLookingFirst() {
    sandbox.state().addAssignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, "USER", ALICE_USER_ID);

    assertThat(adapter.grant(ALICE_READ_ONLY).status()).isEqualTo("SUCCEEDED");
    assertThat(sandbox.state().assignments()).hasSize(1);
    assertThat(sandbox.state().callCount("ListAccountAssignments")).isZero();
  }

  @Test
  void revokeRemovesTheAssignment() {
    sandbox.state().addAssignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, "USER", ALICE_USER_ID);

    OperationResult result = adapter.revoke(ALICE_READ_ONLY);

    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(result.alreadyInPlace()).isFalse();
    assertThat(sandbox.state().assignments()).isEmpty();
    assertThat(sandbox.state().callCounts()).isEqualTo(Map.of(
        "DeleteAccountAssignment", 1L, "DescribeAccountAssignmentDeletionStatus", 1L));
  }

  /**
   * Half of all Identity Center calls throttled (as the fault issue's chaos run did): with the
   * clients' retry strategy as Airlock builds it, every revoke still ends in its own call, within
   * seconds, and the assignment is gone. Prints the times it took.
   */
  @Test
  void revokesEndWithinSecondsWhenHalfOfAllCallsAreThrottled() {
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    try (SsoAdminClient asAirlockBuildsIt = SsoAdminClient.builder().endpointOverride(sandbox.endpoint())
        .region(Region.US_EAST_1).credentialsProvider(credentials)
        .overrideConfiguration(o -> o.retryStrategy(AwsClientsConfiguration.retryStrategy(false))).build()) {
      IdentityCenterAdapter throttled = new IdentityCenterAdapter(asAirlockBuildsIt, identityStore, organizations,
          properties(LATENCY));
      throttled.instance(); // discovered before the throttling starts, as at start-up
      List<Long> millis = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        sandbox.state().addAssignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, "USER", ALICE_USER_ID);
        sandbox.faults().throttle(0.5, 22 + i);
        long start = System.nanoTime();
        OperationResult result = throttled.revoke(ALICE_READ_ONLY);
        millis.add((System.nanoTime() - start) / 1_000_000);
        sandbox.faults().reset();

        assertThat(result.status()).isEqualTo("SUCCEEDED");
        assertThat(sandbox.state().hasAssignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, "USER",
            ALICE_USER_ID)).isFalse();
      }
      assertThat(sandbox.state().throttledCalls()).isPositive();
      List<Long> sorted = millis.stream().sorted().toList();
      System.out.printf("Revokes with 50 %% of calls throttled (%d, AWS latency %d ms, %d calls throttled):"
          + " p50 %d ms, p95 %d ms, max %d ms%n", sorted.size(), LATENCY.toMillis(), sandbox.state().throttledCalls(),
          sorted.get(sorted.size() / 2), sorted.get(sorted.size() * 95 / 100), sorted.get(sorted.size() - 1));
    }
  }

  @Test
  void revokingAnAssignmentThatIsGoneSucceedsWithoutLookingFirst() {
    assertThat(adapter.revoke(ALICE_READ_ONLY).status()).isEqualTo("SUCCEEDED");
    assertThat(sandbox.state().callCount("ListAccountAssignments")).isZero();
  }

  @Test
  void revokingForAUserWhoNoLongerExistsCountsAsRevoked() {
    Assignment gone = new Assignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, UUID.randomUUID().toString());

    OperationResult result = adapter.revoke(gone);

    assertThat(result.status()).isEqualTo("SUCCEEDED");
    assertThat(result.alreadyInPlace()).isTrue();
    assertThat(result.operationId()).isNull();
    assertThat(result.awsRequestIds()).hasSize(1);
  }

  static AirlockProperties properties(Duration firstPollDelay) {
    return new AirlockProperties(
        new AirlockProperties.Request(Duration.ofMinutes(15), Duration.ofHours(12), 1000),
        new AirlockProperties.Groups("airlock-requesters", "airlock-approvers", "airlock-auditors",
            "airlock-operators", "camunda-admin", "airlock-policy-authors",
            "airlock-policy-approvers", "airlock-security"),
        new AirlockProperties.Demo("unused"),
        new AirlockProperties.Models("airlock", List.of("classpath*:bpmn/**/*.bpmn")),
        // Polls 0.2 s after a first one that was too early, doubling up to 2 s.
        new AirlockProperties.Aws("us-east-1", null, null, null, null, null, Duration.ofSeconds(20),
            Duration.ofSeconds(5), Duration.ofSeconds(10), firstPollDelay, Duration.ofMillis(200), Duration.ofSeconds(2),
            20, 15, true, Duration.ofMinutes(1), new AirlockProperties.Sandbox(true, 0, LATENCY)),
        new AirlockProperties.Inventory(false, Duration.ofSeconds(5), Duration.ofMinutes(15)),
        new AirlockProperties.Craft("Airlock-", Duration.ofMinutes(15), List.of("ec2")),
        new AirlockProperties.Principals("{user}", java.util.Map.of()),
        new AirlockProperties.Reconciler(false, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(3)),
        new AirlockProperties.Policy("\\b[A-Z][A-Z0-9]{1,9}-\\d{1,9}\\b",
            java.time.ZoneOffset.UTC, 1000, 10000),
        new AirlockProperties.Cluster(Duration.ofSeconds(30)));
  }
}
