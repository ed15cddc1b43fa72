package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;

/**
 * A deployment profile (here {@code postgres}) that says nothing about the sandbox runs against
 * real AWS: no emulator, no demo users, no sandbox header or banner. AWS is configured but
 * unreachable (a closed loopback port), so the node is alive but not ready; the probes answer
 * without sign-in, the metrics only to operators and the monitoring group. Airlock's groups exist
 * all the same, and the first administrator comes from {@code airlock.bootstrap.admin.*}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.endpoint=http://127.0.0.1:9",
    "airlock.aws.region=us-east-1",
    "spring.datasource.password=",
    "airlock.inventory.scheduled=false"})
@ActiveProfiles("postgres")
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProductionDefaultsIntegrationTest {

  static final String BOOTSTRAP_PASSWORD = "first-day-" + java.util.UUID.randomUUID();

  /** The bootstrap administrator's password, from a file as a container secret would give it. */
  @org.springframework.test.context.DynamicPropertySource
  static void bootstrapAdmin(org.springframework.test.context.DynamicPropertyRegistry registry) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("airlock-bootstrap-admin", ".secret");
    file.toFile().deleteOnExit();
    java.nio.file.Files.writeString(file, BOOTSTRAP_PASSWORD + "\n");
    registry.add("airlock.bootstrap.admin.id", () -> "first-admin");
    registry.add("airlock.bootstrap.admin.password-file", file::toString);
  }

  @LocalServerPort int port;
  @Autowired io.airlock.identity.BootstrapAdmin bootstrap;
  @Autowired io.airlock.config.AirlockProperties properties;
  @Autowired org.springframework.transaction.PlatformTransactionManager transactions;
  @Autowired io.airlock.audit.AuditLog audit;
  @Autowired org.camunda.bpm.engine.TaskService tasks;
  @Autowired ApplicationContext context;
  @Autowired IdentityService identity;
  @Autowired org.springframework.jdbc.core.JdbcTemplate jdbc;

  ApiClient api;
  final HttpClient http = HttpClient.newHttpClient();

  /** Credentials for the SDK's default chain, so that AWS fails for being unreachable, not for want of keys. */
  @BeforeAll
  static void awsKeys() {
    System.setProperty("aws.accessKeyId", "AKIAOPSTEST000000000");
    System.setProperty("aws.secretAccessKey", "not-a-secret");
  }

  @AfterAll
  static void noAwsKeys() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  @BeforeAll
  void users() {
    user("olga", "airlock-operators");
    user("rita", "airlock-requesters");
    user("mona", "airlock-monitoring");
    api = new ApiClient(port);
  }

  @Test
  void aProfileWithoutSandboxSettingRunsAgainstRealAwsWithoutDemoUsers() throws Exception {
    assertThat(context.getEnvironment().getProperty("airlock.aws.sandbox.enabled")).isEqualTo("false");
    assertThat(context.getBeanNamesForType(io.airlock.sandbox.AwsSandbox.class)).isEmpty();
    for (String demo : new String[] {"alice", "bob", "dave", "carol", "admin", "erin", "grace", "pat"}) {
      assertThat(identity.createUserQuery().userId(demo).count()).as(demo).isZero();
    }
    assertThat(identity.checkPassword("admin", "airlock")).isFalse();

    HttpResponse<String> api = get("/api/requests", "olga");
    assertThat(api.statusCode()).isEqualTo(200);
    assertThat(api.headers().firstValue("X-Airlock-Sandbox")).isEmpty();
    HttpResponse<String> styles = get("/camunda/app/tasklist/styles/user-styles.css", null);
    assertThat(styles.statusCode()).isEqualTo(200);
    assertThat(styles.body()).doesNotContain("SANDBOX");
    assertThat(styles.headers().firstValue("X-Airlock-Sandbox")).isEmpty();
  }

  @Test
  void probesAnswerWithoutSignInAndReadinessIsDownWhileAwsIsUnreachable() throws Exception {
    HttpResponse<String> liveness = get("/actuator/health/liveness", null);
    assertThat(liveness.statusCode()).isEqualTo(200);
    assertThat(liveness.body()).isEqualTo("{\"status\":\"UP\"}");

    long asked = System.nanoTime();
    HttpResponse<String> readiness = get("/actuator/health/readiness", null);
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - asked)).as("readiness answers within 2 s whatever is down")
        .isLessThan(java.time.Duration.ofSeconds(2));
    assertThat(readiness.statusCode()).isEqualTo(503);
    assertThat(readiness.body()).as("no components or details without sign-in").isEqualTo("{\"status\":\"DOWN\"}");

    // An operator sees why: the aws component, with the SDK's error.
    Reply detailed = this.api.get("olga", "/actuator/health/readiness");
    assertThat(detailed.status()).isEqualTo(503);
    assertThat(detailed.body().at("/components/aws/status").asText()).isEqualTo("DOWN");
    assertThat(detailed.body().at("/components/aws/details/error").asText()).containsIgnoringCase("connect");
    assertThat(detailed.body().at("/components/db/status").asText()).isEqualTo("UP");
    // A requester is signed in but sees the status only.
    assertThat(this.api.get("rita", "/actuator/health/readiness").body().has("components")).isFalse();
    // The full health endpoint needs sign-in, like everything but the two probes.
    assertThat(get("/actuator/health", null).statusCode()).isEqualTo(401);
    assertThat(get("/actuator/info", "olga").statusCode()).isEqualTo(404);
  }

  @Test
  void prometheusNeedsAnOperatorOrTheMonitoringGroup() throws Exception {
    assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
    assertThat(get("/actuator/prometheus", "rita").statusCode()).isEqualTo(403);
    HttpResponse<String> scraped = get("/actuator/prometheus", "mona");
    assertThat(scraped.statusCode()).isEqualTo(200);
    assertThat(scraped.body()).contains("airlock_grants_active", "airlock_reviews_pending", "airlock_incidents_open");
    assertThat(get("/actuator/prometheus", "olga").statusCode()).isEqualTo(200);
  }

  /**
   * Least privilege for machines: the monitoring account reads the metrics and nothing else, not
   * even with a second group: Airlock's API, the engine REST API, the API docs, the rest of
   * actuator, the pages and the webapps answer 403 (every refusal audited), and its sign-in to
   * the webapps or the pages leaves it no session.
   */
  @Test
  void theMonitoringAccountReadsTheMetricsAndNothingElse() throws Exception {
    identity.createMembership("mona", "airlock-operators");
    try {
      long before = jdbc.queryForObject("SELECT COUNT(*) FROM audit_event WHERE action = 'refused.machine'", Long.class);
      for (String path : java.util.List.of("/api/requests", "/api/catalog", "/api/audit", "/engine-rest/task",
          "/engine-rest/process-definition", "/engine-rest/user", "/v3/api-docs", "/swagger-ui/index.html",
          "/actuator/health", "/actuator/health/readiness")) {
        HttpResponse<String> answer = get(path, "mona");
        assertThat(answer.statusCode()).as(path).isEqualTo(403);
        if (!answer.body().isEmpty()) {
          assertThat(answer.body()).as(path).contains("reads the metrics at /actuator/prometheus and nothing else");
        }
      }
      Reply write = api.post("mona", "/api/requests", java.util.Map.of("system", "AWS", "target", "222222222222",
          "principal", "mona", "permission", "ReadOnlyAccess", "duration", "PT15M", "justification", "scrape"));
      assertThat(write.status()).isEqualTo(403);
      assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM access_request WHERE requester = 'mona'", Long.class))
          .isZero();
      assertThat(get("/actuator/prometheus", "mona").statusCode()).isEqualTo(200);
      await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> assertThat(jdbc.queryForObject(
          "SELECT COUNT(*) FROM audit_event WHERE action = 'refused.machine' AND actor = 'mona'", Long.class))
          .isGreaterThanOrEqualTo(before + 11));

      // Its password at the webapps' sign-in: 403, and no session to use afterwards.
      io.airlock.support.WebappSession webapps = new io.airlock.support.WebappSession(port);
      assertThat(webapps.login("mona", "airlock", "welcome")).isEqualTo(403);
      assertThat(webapps.get("/camunda/api/engine/engine/default/task").statusCode()).isIn(401, 403);
      assertThat(webapps.get("/camunda/api/admin/auth/user/default").statusCode()).isNotEqualTo(200);
      // ... nor at the pages' sign-in.
      HttpClient browser = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
      URI page = URI.create("http://127.0.0.1:" + port + "/sign-in");
      String form = browser.send(HttpRequest.newBuilder(page).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
      java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(form);
      assertThat(csrf.find()).as(form).isTrue();
      HttpResponse<String> signIn = browser.send(HttpRequest.newBuilder(page)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("username=mona&password=airlock&_csrf=" + csrf.group(1))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(signIn.statusCode()).isEqualTo(403);
      assertThat(signIn.body()).contains("reads the metrics at /actuator/prometheus and nothing else");
      HttpResponse<String> home = browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(home.statusCode()).as("no session: back to the sign-in page").isEqualTo(302);
      // The two sign-ins are on record too.
      await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> assertThat(jdbc.queryForObject(
          "SELECT COUNT(*) FROM audit_event WHERE action = 'refused.machine' AND actor = 'mona' AND (details LIKE "
          + "'%/login/welcome%' OR details LIKE '%/sign-in%')", Long.class)).isEqualTo(2L));
      // The operator next to it is not confined.
      assertThat(get("/api/requests", "olga").statusCode()).isEqualTo(200);
    } finally {
      identity.deleteMembership("mona", "airlock-operators");
    }
  }

  /**
   * First day without Keycloak or the sandbox: Airlock's groups were created at start, and the
   * bootstrap administrator (airlock.bootstrap.admin.*) exists in the admins group, audited, and
   * signs in to Camunda Admin. What a second start runs changes nothing: no new user, no password
   * reset, no second audit entry; and another bootstrap id is ignored while an administrator exists.
   */
  @Test
  void airlocksGroupsExistAndTheBootstrapAdministratorSignsInOnce() throws Exception {
    properties.groups().byRole().forEach((role, group) ->
        assertThat(identity.createGroupQuery().groupId(group).count()).as(role + ": " + group).isOne());
    assertThat(identity.createUserQuery().userId("first-admin").memberOfGroup("camunda-admin").count()).isOne();
    assertThat(identity.createGroupQuery().groupMember("first-admin").count())
        .as("the admins group only: no other power").isOne();
    assertThat(identity.checkPassword("first-admin", BOOTSTRAP_PASSWORD)).isTrue();
    String audited = "SELECT COUNT(*) FROM audit_event WHERE action = 'identity.bootstrap-admin' AND actor = 'airlock' "
        + "AND details LIKE '%first-admin%'";
    assertThat(jdbc.queryForObject(audited, Long.class)).isOne();

    io.airlock.support.WebappSession webapps = new io.airlock.support.WebappSession(port);
    assertThat(webapps.login("first-admin", BOOTSTRAP_PASSWORD, "admin")).isEqualTo(200);
    HttpResponse<String> who = webapps.get("/camunda/api/admin/auth/user/default");
    assertThat(who.statusCode()).isEqualTo(200);
    assertThat(who.body()).contains("\"first-admin\"", "\"admin\"");
    assertThat(webapps.get("/camunda/api/engine/engine/default/user/count").statusCode()).isEqualTo(200);

    // The administrator changes the password; a second start leaves it, and adds nothing.
    User admin = identity.createUserQuery().userId("first-admin").singleResult();
    admin.setPassword("changed-" + BOOTSTRAP_PASSWORD);
    identity.saveUser(admin);
    assertThat(bootstrap.run()).isEqualTo(io.airlock.identity.BootstrapAdmin.Outcome.ADMIN_EXISTS);
    assertThat(identity.checkPassword("first-admin", "changed-" + BOOTSTRAP_PASSWORD)).isTrue();
    assertThat(jdbc.queryForObject(audited, Long.class)).isOne();

    // Another bootstrap setting once an administrator exists: nobody is created.
    io.airlock.identity.BootstrapAdmin another = new io.airlock.identity.BootstrapAdmin(
        new io.airlock.identity.BootstrapAdminProperties("second-admin", "known-password", null, null, null),
        properties, identity, audit, transactions);
    assertThat(another.run()).isEqualTo(io.airlock.identity.BootstrapAdmin.Outcome.ADMIN_EXISTS);
    assertThat(identity.createUserQuery().userId("second-admin").count()).isZero();
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM audit_event WHERE action = 'identity.bootstrap-admin'",
        Long.class)).isOne();

    // The second person (README "First sign-in without Keycloak"): the administrator creates sam in no
    // group, sam asks to join the security group, the administrator (neither asker nor user) approves.
    String adminPassword = "changed-" + BOOTSTRAP_PASSWORD;
    assertThat(send("POST", "/engine-rest/user/create", "first-admin", adminPassword, "{\"profile\":{\"id\":\"sam\","
        + "\"firstName\":\"Sam\",\"lastName\":\"Second\",\"email\":\"sam@example.com\"},"
        + "\"credentials\":{\"password\":\"airlock\"}}").statusCode()).isEqualTo(204);
    HttpResponse<String> asked = send("POST", "/api/memberships", "sam", "airlock", "{\"user\":\"sam\",\"group\":"
        + "\"airlock-security\",\"change\":\"ADD\",\"reason\":\"Second reviewer of Airlock's groups\"}");
    assertThat(asked.statusCode()).as(asked.body()).isEqualTo(201);
    String change = new com.fasterxml.jackson.databind.ObjectMapper().readTree(asked.body()).get("id").asText();
    await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
        tasks.createTaskQuery().processInstanceBusinessKey(change).count() == 1);
    String task = tasks.createTaskQuery().processInstanceBusinessKey(change).singleResult().getId();
    HttpResponse<String> approved = send("POST", "/engine-rest/task/" + task + "/complete", "first-admin", adminPassword,
        "{\"variables\":{\"membershipOutcome\":{\"value\":\"APPROVE\"}}}");
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(204);
    await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
        identity.createUserQuery().userId("sam").memberOfGroup("airlock-security").count() == 1);
    // Last: a wrong password locks the user for a moment (the engine's login attempts).
    assertThat(identity.checkPassword("first-admin", BOOTSTRAP_PASSWORD)).as("the bootstrap password is gone").isFalse();
  }

  private HttpResponse<String> send(String method, String path, String user, String password, String json)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Basic " + java.util.Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String user) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    if (user != null) {
      request.header("Authorization", "Basic " + java.util.Base64.getEncoder()
          .encodeToString((user + ":airlock").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void user(String id, String group) {
    if (identity.createGroupQuery().groupId(group).count() == 0) {
      var g = identity.newGroup(group);
      g.setName(group);
      g.setType("WORKFLOW");
      identity.saveGroup(g);
    }
    User u = identity.newUser(id);
    u.setFirstName(id);
    u.setLastName("Test");
    u.setEmail(id + "@example.com");
    u.setPassword("airlock");
    identity.saveUser(u);
    identity.createMembership(id, group);
  }
}
