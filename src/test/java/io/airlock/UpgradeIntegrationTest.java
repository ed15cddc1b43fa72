package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.sandbox.SandboxSettings;
import io.airlock.sandbox.SandboxState.AssignmentCall;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.Migrations;
import io.airlock.support.People;
import io.airlock.support.RecordedRelease;
import io.airlock.support.ReleaseJar;
import io.airlock.support.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Requests in flight survive an upgrade of Airlock (README "Upgrading"). The previous release is
 * recorded in {@code src/test/resources/upgrade/<commit>/} (its models and its last Flyway
 * version; why that commit: the README there). On one PostgreSQL and one AWS emulator that both
 * outlive the application, as a real database and AWS do:
 *
 * <ol>
 *   <li>Airlock starts as the previous release was: its schema (Flyway stopped at that release's
 *       last migration, {@code spring.flyway.target}) and its models deployed. Requests are left
 *       in flight: one waiting for review, one approved and granted (its assignment in the
 *       emulator, its revoke timer waiting), and one approved for a scheduled start.
 *   <li>It stops, and the current version starts on the same database: Flyway migrates to the
 *       latest schema, the current models are deployed as a new version.
 *   <li>The old requests finish on the version they started with: the waiting one is reviewed
 *       and granted, each grant appears in the emulator and is deleted there at its end, the
 *       scheduled one is granted at its start, no incident, and the audit chain, written by both
 *       starts, verifies against its anchors in the emulator's S3.
 * </ol>
 *
 * <p>The first start runs the current code, not the old jar: the code reads no column the old
 * schema lacks (the tables added since serve features the old release did not have), building
 * the old jar would add about a minute to a suite that has about a minute and a half of its
 * budget left, and a clean clone may not hold the old commit. The requests' state is therefore
 * made by today's delegates on the old models and schema; the recorded README says what that
 * leaves out. {@code -Dairlock.upgrade.previous-jar=<jar>} runs the release's own jar for the
 * first half instead (same steps over HTTP), to check by hand.
 */
class UpgradeIntegrationTest {

  private static final RecordedRelease PREVIOUS = RecordedRelease.load("38d81bf");
  private static final String PREVIOUS_JAR = System.getProperty("airlock.upgrade.previous-jar");
  private static final String SANDBOX = DemoOrganization.SANDBOX_ACCOUNT_ID;
  private static final String PRODUCTION = DemoOrganization.PRODUCTION_ACCOUNT_ID;

  static EmbeddedPostgres postgres;
  static AwsSandbox aws;
  static int previousPort;

  @BeforeAll
  static void databaseAndAws() throws Exception {
    postgres = TestPostgres.start();
    aws = AwsSandbox.start(SandboxSettings.defaults().withPort(0).withOperationDelay(Duration.ofMillis(300)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (aws != null) {
      aws.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void requestsInFlightFinishAfterAnUpgrade() throws Exception {
    // ---- the previous release: its schema and models, requests left in flight
    long began = System.nanoTime();
    AutoCloseable previous = startPrevious();
    Duration startup = Duration.ofNanos(System.nanoTime() - began);
    String waiting;
    String granted;
    String scheduled;
    Instant scheduledStart;
    try {
      ApiClient api = new ApiClient(previousPort);
      assertThat(schemaVersion()).isEqualTo(PREVIOUS.flywayVersion());
      assertThat(tableExists("policy_proposal")).as("a table of a later release").isFalse();
      assertThat(admin(api, "/engine-rest/process-definition/key/access-request").get("version").asInt())
          .isEqualTo(1);

      // The grant and the scheduled start fall due shortly after the current version is up: the
      // restart (a stop, then a start in a JVM that has started Airlock before) took a sixth to a
      // third of this first start; the first start of this JVM, after the release's jar, about as
      // long. Should it take longer, they fall due while Airlock is down, and the current version
      // must end them at once (checked below as well).
      Duration untilDue = (PREVIOUS_JAR == null ? startup.dividedBy(2) : startup.multipliedBy(5).dividedBy(4))
          .plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
      waiting = submit(api, "alice", People.request(SANDBOX, "alice", "PowerUserAccess", "PT5S",
          "waits for review across the upgrade"));
      api.awaitStatus(waiting, "PENDING_REVIEW");

      Map<String, Object> later = People.request(PRODUCTION, "erin", "ReadOnlyAccess", "PT5S",
          "starts after the upgrade");
      scheduledStart = Instant.now().plus(untilDue).truncatedTo(ChronoUnit.SECONDS);
      later.put("startAt", scheduledStart.toString());
      scheduled = submit(api, "erin", later);
      approve(api, scheduled);
      api.awaitStatus(scheduled, "SCHEDULED");

      granted = submit(api, "erin", People.request(SANDBOX, "erin", "PowerUserAccess", untilDue.toString(),
          "granted before the upgrade, revoked after it"));
      approve(api, granted);
      api.awaitStatus(granted, "ACTIVE");
      assertThat(holds(DemoOrganization.ERIN_USER_ID, DemoOrganization.POWER_USER_PERMISSION_SET_ARN, SANDBOX))
          .as("erin's access in AWS before the upgrade").isTrue();
    } finally {
      previous.close();
    }
    System.out.printf("Previous release (%s) up in %d s; the grant and the scheduled start fall due %s after its"
        + " stop%n", PREVIOUS_JAR == null ? "today's code on its schema and models" : PREVIOUS_JAR, startup.toSeconds(),
        Duration.between(Instant.now(), scheduledStart).truncatedTo(ChronoUnit.SECONDS));

    // ---- the current version on the same database and AWS
    ConfigurableApplicationContext app = start();
    Instant upAt = Instant.now();
    try {
      ApiClient api = api(app);
      assertThat(schemaVersion()).as("migrated to the latest schema").isEqualTo(Migrations.latest());
      assertThat(tableExists("policy_proposal")).isTrue();
      assertThat(admin(api, "/engine-rest/process-definition/key/access-request").get("version").asInt())
          .as("the current models, a new version").isEqualTo(2);

      // The request waiting for review stays on its process version, with that version's form,
      // and is reviewed after the upgrade.
      JsonNode task = admin(api, "/engine-rest/task?processInstanceBusinessKey=" + waiting).get(0);
      assertThat(admin(api, "/engine-rest/process-definition/" + task.get("processDefinitionId").asText())
          .get("version").asInt()).as("the waiting request's process version").isEqualTo(1);
      Reply form = api.get("bob", "/engine-rest/task/" + task.get("id").asText() + "/deployed-form");
      assertThat(form.status()).as(form.raw()).isEqualTo(200);
      assertThat(form.body().get("id").asText()).isEqualTo("review-access-request");
      approve(api, waiting);

      // All three end on time: the old grant at its end, the scheduled one granted at its start,
      // the reviewed one granted now; each assignment deleted in AWS at its end.
      for (String id : List.of(granted, scheduled, waiting)) {
        await().atMost(Duration.between(Instant.now(), scheduledStart).plusMinutes(1)).pollInterval(Duration.ofMillis(500))
            .until(() -> status(api, id).equals("REVOKED"));
      }
      assertThat(aws.state().assignments()).as("assignments left in AWS")
          .noneMatch(a -> a.principalId().equals(DemoOrganization.ERIN_USER_ID)
              || a.principalId().equals(DemoOrganization.ALICE_USER_ID));
      endedOnTime(api, granted, DemoOrganization.ERIN_USER_ID, DemoOrganization.POWER_USER_PERMISSION_SET_ARN,
          SANDBOX, upAt);
      JsonNode started = endedOnTime(api, scheduled, DemoOrganization.ERIN_USER_ID,
          DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, PRODUCTION, upAt);
      assertThat(Instant.parse(started.get("grantStart").asText())).as("granted at its start, not before")
          .isAfterOrEqualTo(scheduledStart.minusSeconds(1));
      JsonNode reviewed = endedOnTime(api, waiting, DemoOrganization.ALICE_USER_ID,
          DemoOrganization.POWER_USER_PERMISSION_SET_ARN, SANDBOX, upAt);
      assertThat(reviewed.get("reviewer").asText()).isEqualTo("bob");

      // A drift run of the previous model (its scan in its first job, before the run asked for one
      // and waited) still runs to its end on the current code.
      String oldDrift = admin(api, "/engine-rest/process-definition?key=inventory-scan&version=1").get(0)
          .get("id").asText();
      Reply run = api.post("admin", "/engine-rest/process-definition/" + oldDrift + "/start", Map.of());
      assertThat(run.status()).as(run.raw()).isEqualTo(200);
      String runId = run.body().get("id").asText();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> "COMPLETED".equals(
          admin(api, "/engine-rest/history/process-instance/" + runId).get("state").asText()));
      assertThat(admin(api, "/engine-rest/history/variable-instance?processInstanceId=" + runId + "&variableName="
          + "accountsScanned").get(0).get("value").asInt()).as("the accounts its scan step saw").isPositive();

      assertThat(admin(api, "/engine-rest/incident/count").get("count").asInt()).as("incidents").isZero();

      // One audit chain across both starts: each request's record begins before the upgrade and
      // ends after it, and the chain verifies against the anchors shipped to S3.
      for (String id : List.of(granted, scheduled, waiting)) {
        List<JsonNode> entries = new ArrayList<>();
        api.get("carol", "/api/audit?requestId=" + id + "&limit=1000").body().get("events").forEach(entries::add);
        assertThat(entries).as("audit of %s", id).isNotEmpty();
        assertThat(entries.stream().map(e -> e.get("action").asText()))
            .contains("request.submitted", "access.granted", "access.revoked");
        assertThat(Instant.parse(entries.get(0).get("occurredAt").asText())).isBefore(upAt);
        assertThat(Instant.parse(entries.get(entries.size() - 1).get("occurredAt").asText())).isAfter(upAt);
      }
      JsonNode verified = api.get("carol", "/api/audit/verify").body();
      assertThat(verified.get("intact").asBoolean()).as(verified.toString()).isTrue();
      assertThat(verified.get("entriesChecked").asLong()).isPositive();
    } finally {
      app.close();
    }
  }

  // ---------------------------------------------------------------- the application

  /**
   * The previous release: today's code on its schema and models, or, with {@code
   * -Dairlock.upgrade.previous-jar=<jar>}, that release's own jar in a JVM of its own
   * (src/test/resources/upgrade/README.md says how to build it).
   */
  private static AutoCloseable startPrevious() throws Exception {
    if (PREVIOUS_JAR == null) {
      ConfigurableApplicationContext app = start("--spring.flyway.target=" + PREVIOUS.flywayVersion(),
          "--airlock.models.patterns=" + PREVIOUS.modelPatterns());
      previousPort = app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
      return app;
    }
    ReleaseJar jar = ReleaseJar.start(Path.of(PREVIOUS_JAR), settings(),
        Path.of("target", "upgrade", "previous-release.log"));
    previousPort = jar.port();
    return jar;
  }

  /** Airlock on the test's PostgreSQL and emulator; arguments win over application.yaml. */
  private static ConfigurableApplicationContext start(String... more) {
    List<String> args = new ArrayList<>(List.of("--server.port=0"));
    args.addAll(settings());
    args.addAll(List.of(more));
    return new SpringApplicationBuilder(AirlockApplication.class).run(args.toArray(String[]::new));
  }

  private static List<String> settings() {
    return List.of(
        "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
        "--spring.datasource.username=postgres",
        "--spring.datasource.password=",
        // The emulator as a process of its own (here the test's JVM): AWS's state outlives Airlock.
        "--airlock.aws.sandbox.enabled=true",
        "--airlock.aws.sandbox.endpoint=" + aws.endpoint(),
        "--airlock.aws.first-poll-delay=PT0.3S",
        "--airlock.request.min-duration=PT1S",
        "--airlock.inventory.scheduled=false",
        "--airlock.reconciler.scheduled=false",
        "--camunda.bpm.job-execution.wait-time-in-millis=200",
        "--camunda.bpm.job-execution.max-wait=1000");
  }

  private static ApiClient api(ConfigurableApplicationContext app) {
    return new ApiClient(app.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
  }

  private static String schemaVersion() {
    return new JdbcTemplate(postgres.getPostgresDatabase()).queryForObject("SELECT version FROM airlock_schema_history"
        + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1", String.class);
  }

  private static boolean tableExists(String table) {
    return new JdbcTemplate(postgres.getPostgresDatabase()).queryForObject(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", Integer.class, table) == 1;
  }

  // ---------------------------------------------------------------- requests

  private static String submit(ApiClient api, String requester, Map<String, Object> body) {
    Reply submitted = api.post(requester, "/api/requests", body);
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    return submitted.body().get("id").asText();
  }

  private static void approve(ApiClient api, String id) {
    Reply approved = api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE"));
    assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
  }

  private static String status(ApiClient api, String id) {
    return admin(api, "/api/requests/" + id).get("status").asText();
  }

  /**
   * The request's assignment was created in AWS once and deleted once, at its recorded end: not
   * before it, and within seconds of it (or of the current version's start, if it fell due while
   * Airlock was down).
   */
  private static JsonNode endedOnTime(ApiClient api, String id, String principalId, String permissionSetArn,
      String account, Instant upAt) {
    JsonNode request = admin(api, "/api/requests/" + id);
    Instant end = Instant.parse(request.get("grantEnd").asText());
    List<AssignmentCall> calls = aws.state().assignmentCalls().stream()
        .filter(c -> c.principalId().equals(principalId) && c.permissionSetArn().equals(permissionSetArn)
            && c.accountId().equals(account))
        .toList();
    assertThat(calls).as("assignment calls of %s", id).extracting(AssignmentCall::operation)
        .containsExactly("CreateAccountAssignment", "DeleteAccountAssignment");
    Instant deleted = calls.get(1).at();
    Instant due = end.isAfter(upAt) ? end : upAt;
    System.out.printf("%s: end %s%s, deleted in AWS %d ms after it%n", id, end,
        end.isAfter(upAt) ? "" : " (while Airlock was down)", Duration.between(end, deleted).toMillis());
    assertThat(deleted).as("deleted in AWS (end %s)", end).isAfterOrEqualTo(end.minusMillis(1))
        .isBefore(due.plusSeconds(10));
    return request;
  }

  private static boolean holds(String principalId, String permissionSetArn, String account) {
    return aws.state().assignments().stream().anyMatch(a -> a.principalId().equals(principalId)
        && a.permissionSetArn().equals(permissionSetArn) && a.accountId().equals(account));
  }

  private static JsonNode admin(ApiClient api, String path) {
    Reply r = api.get("admin", path);
    assertThat(r.status()).as(path + ": " + r.raw()).isEqualTo(200);
    return r.body();
  }
}
