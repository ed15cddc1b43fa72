package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.inventory.InventoryService;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.support.AdjustableClock;
import io.airlock.support.KeycloakBrowser;
import io.airlock.support.KeycloakServer;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.SandboxSso;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.HashSet;
import java.util.Set;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import static org.awaitility.Awaitility.await;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.identity.IdentityProviderException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The {@code keycloak} profile against a real Keycloak 26 with keycloak-realm/airlock-realm.json
 * imported ({@link KeycloakServer}), and the whole application on PostgreSQL: sign-in into
 * Tasklist through Keycloak's pages, tokens for the REST APIs (issuer, audience, groups),
 * groups read from Keycloak at each action, OTP for approvers, brute-force lock-out, and the
 * engine's identity service answered by Keycloak.
 *
 * <p>Each test uses its own Keycloak users where it changes their state (OTP, lock-out, groups).
 */
@ExtendWith(KeycloakServer.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT, properties = {
    "airlock.aws.sandbox.enabled=true", // a deployment profile: the emulator only when asked for
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "airlock.inventory.scheduled=false"})
@ActiveProfiles("keycloak")
@Import({PostgresTestConfiguration.class, AdjustableClock.Configuration.class})
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // Keycloak's outage last: it stops Keycloak
class KeycloakIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Autowired IdentityService identity;
  @Autowired AuthorizationService authorizations;
  @Autowired InventoryService inventory;
  @Autowired AdjustableClock clock;
  @Autowired AwsSandbox sandbox;
  @Autowired JdbcTemplate jdbc;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @DynamicPropertySource
  static void keycloak(DynamicPropertyRegistry registry) {
    KeycloakServer.Running kc = KeycloakServer.get();
    registry.add("server.port", () -> kc.appPort);
    // As in docker/compose.yaml: browsers and the tokens' issuer at the public URL (the front
    // door, http://localhost:<port>), the node's own calls at the internal one (http://127.0.0.1:<port>).
    registry.add("airlock.keycloak.url", kc::url);
    registry.add("airlock.keycloak.internal-url", kc::internalUrl);
    registry.add("airlock.keycloak.client-secret", () -> KeycloakServer.WEBAPP_SECRET);
    registry.add("airlock.keycloak.identity-client-secret", () -> KeycloakServer.IDENTITY_SECRET);
  }

  private static KeycloakServer.Running kc() {
    return KeycloakServer.get();
  }

  // --- Browser sign-in ---------------------------------------------------------------------------

  @Test
  void aRequesterSignsInToTasklistAtKeycloakAndSigningOutEndsTheKeycloakSessionToo() {
    KeycloakBrowser browser = new KeycloakBrowser(kc().appPort);

    HttpResponse<String> login = browser.open("/camunda/app/tasklist/");
    assertThat(login.uri().getPort()).as("Keycloak's sign-in page").isEqualTo(kc().port);
    assertThat(login.body()).contains("kc-form-login");
    // Not signed in yet: the webapps' API answers 401, not data.
    assertThat(browser.webappApi("GET", "/camunda/api/admin/auth/user/default", null).statusCode()).isEqualTo(401);

    HttpResponse<String> tasklist = browser.signIn("alice", KeycloakServer.PASSWORD);
    assertThat(tasklist.statusCode()).as(tasklist.uri().toString()).isEqualTo(200);
    assertThat(tasklist.uri().toString()).startsWith("http://127.0.0.1:" + kc().appPort + "/camunda/app/tasklist/");

    HttpResponse<String> me = browser.webappApi("GET", "/camunda/api/admin/auth/user/default", null);
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    JsonNode user = json(me.body());
    assertThat(user.get("userId").asText()).isEqualTo("alice");
    assertThat(user.get("authorizedApps").toString()).contains("tasklist").doesNotContain("cockpit", "admin");
    // Airlock's own pages: the same sign-in, no second one.
    HttpResponse<String> portal = browser.open("/");
    assertThat(portal.uri().getPort()).isEqualTo(kc().appPort);
    assertThat(portal.statusCode()).isEqualTo(200);
    assertThat(portal.body()).contains("Hello, alice", "New request").doesNotContain("Waiting for me");

    // The webapps' sign-out button: Airlock's session and Keycloak's end, the next visit asks again.
    HttpResponse<String> logout = browser.webappApi("POST", "/camunda/api/admin/auth/user/default/logout", null);
    assertThat(logout.statusCode()).as(logout.body()).isEqualTo(204);
    assertThat(browser.webappApi("GET", "/camunda/api/admin/auth/user/default", null).statusCode()).isEqualTo(401);
    HttpResponse<String> again = browser.open("/camunda/app/tasklist/");
    assertThat(again.uri().getPort()).isEqualTo(kc().port);
    assertThat(again.body()).contains("kc-form-login");
    assertThat(browser.open("/requests").uri().getPort()).as("Airlock's pages ask Keycloak again").isEqualTo(kc().port);
  }

  @Test
  void anApproverWithoutOtpCannotFinishSigningIn() {
    String approver = newUser("approver-no-otp", "airlock-approvers");
    KeycloakBrowser browser = new KeycloakBrowser(kc().appPort);
    browser.open("/camunda/app/tasklist/");

    HttpResponse<String> next = browser.signIn(approver, KeycloakServer.PASSWORD);
    // Keycloak holds the sign-in at its OTP set-up; Airlock has no session.
    assertThat(next.uri().getPort()).isEqualTo(kc().port);
    assertThat(next.body()).contains("totpSecret").doesNotContain("kc-form-login");
    assertThat(browser.webappApi("GET", "/camunda/api/admin/auth/user/default", null).statusCode()).isEqualTo(401);
    // Nor does the password alone get a token for the API (direct grant asks the OTP too).
    JsonNode grant = kc().passwordGrant(approver, KeycloakServer.PASSWORD);
    assertThat(grant.has("access_token")).as(grant.toString()).isFalse();
  }

  // --- The CLI -----------------------------------------------------------------------------------

  /**
   * The CLI's device sign-in (README, "From the terminal") with the realm's public client
   * {@code airlock-cli}: the CLI shows Keycloak's verification URL and code, alice signs in there
   * (as on her phone), the CLI's polling gets the tokens and keeps them (no password), and with its
   * bearer token alice asks for read-only access that policy approves at once: granted in the
   * emulator, then ended from the CLI and gone.
   */
  @Test
  void theCliSignsInWithTheDeviceGrantAndItsTokenAsksForAccessAndEndsIt(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path home) throws Exception {
    inventory.scan("test"); // the sandbox account's OU, which the auto-approval reads
    io.airlock.cli.CliRunner cli = new io.airlock.cli.CliRunner(home);
    String server = "http://127.0.0.1:" + kc().appPort;
    io.airlock.cli.CliRunner.Started login = cli.start("login", "--server", server, "--issuer", kc().issuer());
    await().atMost(Duration.ofSeconds(30)).until(() -> login.err().contains("and check that it shows the code"));
    String url = login.err().replaceAll("(?s).*open (\\S+)\n.*", "$1");
    assertThat(url).startsWith(kc().issuer() + "/device");

    KeycloakBrowser phone = new KeycloakBrowser(kc().appPort);
    HttpResponse<String> page = phone.openUrl(url);
    if (!page.body().contains("kc-form-login") && page.body().contains("device_user_code")) {
      page = phone.submit(Map.of()); // Keycloak asks to confirm the code it was given
    }
    assertThat(page.body()).as(page.uri().toString()).contains("kc-form-login");
    HttpResponse<String> signedInAtKeycloak = phone.signIn("alice", KeycloakServer.PASSWORD);
    if (signedInAtKeycloak.body().contains("name=\"accept\"")) {
      signedInAtKeycloak = phone.submit(Map.of("accept", "Yes")); // Keycloak asks to grant the device access
    }
    String keycloaksPage = signedInAtKeycloak.uri() + "\n" + signedInAtKeycloak.body();
    io.airlock.cli.CliRunner.Result signedIn;
    try {
      signedIn = login.result(Duration.ofSeconds(30));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the CLI still polls; Keycloak's page: " + keycloaksPage + "\nCLI: " + login.err(), e);
    }
    assertThat(signedIn.code()).as(signedIn + "\nKeycloak's page: " + keycloaksPage).isZero();
    assertThat(signedIn.out()).isEqualTo("Signed in to " + server + " as alice.\n");
    JsonNode stored = JSON.readTree(cli.configDir().resolve("credentials.json").toFile());
    assertThat(stored.get("kind").asText()).isEqualTo("bearer");
    assertThat(stored.get("refreshToken").asText()).isNotBlank();
    assertThat(stored.has("password")).isFalse();

    io.airlock.cli.CliRunner.Result asked = cli.run("request", "-a", DemoOrganization.SANDBOX_ACCOUNT_ID,
        "-p", "ReadOnlyAccess", "-d", "30m", "-j", "Read the logs", "--wait", "-o", "json");
    assertThat(asked.code()).as(asked.toString()).isZero();
    assertThat(asked.json().at("/request/status").asText()).isEqualTo("ACTIVE");
    assertThat(asked.json().at("/request/requester").asText()).isEqualTo("alice");
    String id = asked.json().at("/request/id").asText();
    try (SsoAdminClient sso = SandboxSso.client(sandbox)) {
      assertThat(SandboxSso.holds(sso, DemoOrganization.SANDBOX_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
          DemoOrganization.ALICE_USER_ID)).isTrue();
      io.airlock.cli.CliRunner.Result ended = cli.run("end", id);
      assertThat(ended.code()).as(ended.toString()).isZero();
      assertThat(SandboxSso.holds(sso, DemoOrganization.SANDBOX_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
          DemoOrganization.ALICE_USER_ID)).isFalse();
    }
  }

  // --- Readiness ---------------------------------------------------------------------------------

  @Test
  void theNodeIsReadyOnceKeycloakAnswersWithNoSettingBeyondTheProfiles() {
    // Readiness includes the keycloak component (the realm's discovery document where the node reaches
    // Keycloak, naming the issuer that sign-in and tokens are checked against): no setting of its own.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      HttpResponse<String> readiness = call("GET", "/actuator/health/readiness", null, null);
      assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
      assertThat(json(readiness.body()).get("status").asText()).isEqualTo("UP");
    });
  }

  // --- Public and internal URL --------------------------------------------------------------------

  /**
   * Browsers are sent to Keycloak's public URL only; everything the node asks Keycloak itself (the
   * sign-in's code exchange, keys, userinfo, the engine's users and groups, sign-out's back channel,
   * readiness) goes to the internal URL: with the public one shut, a sign-in already at Keycloak
   * completes, bearer tokens and group lookups work, and the node stays ready. The tokens name the
   * public issuer, and Airlock checks them against it.
   */
  @Test
  void browsersGoToThePublicUrlWhileTheNodeNeedsOnlyTheInternalOne() throws Exception {
    String alice = kc().accessToken("alice"); // asked at the internal URL, as the node asks
    assertThat(claims(alice).get("iss").asText()).isEqualTo("http://localhost:" + kc().port + "/realms/airlock")
        .isEqualTo(kc().issuer());

    KeycloakBrowser browser = new KeycloakBrowser(kc().appPort);
    HttpResponse<String> login = browser.open("/camunda/app/tasklist/");
    assertThat(login.uri().toString()).as("Keycloak's sign-in page, at the public URL")
        .startsWith(kc().url() + "/realms/airlock/protocol/openid-connect/auth?");
    assertThat(login.body()).contains("kc-form-login", "action=\"" + kc().url() + "/realms/airlock/");
    // The public URL goes away the moment the browser brings the code back to Airlock.
    browser.beforeRedirect(next -> {
      if (next.getPath().startsWith("/login/oauth2/code/")) {
        kc().frontDoor(false);
      }
    });
    try {
      HttpResponse<String> tasklist = browser.signIn("alice", KeycloakServer.PASSWORD);
      assertThat(tasklist.statusCode()).as(tasklist.uri() + " " + tasklist.body()).isEqualTo(200);
      assertThat(tasklist.uri().toString()).startsWith("http://127.0.0.1:" + kc().appPort + "/camunda/app/tasklist/");
      assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(kc().issuer())).build(),
          HttpResponse.BodyHandlers.discarding())).as("the public URL is shut").isInstanceOf(IOException.class);

      HttpResponse<String> me = browser.webappApi("GET", "/camunda/api/admin/auth/user/default", null);
      assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
      assertThat(json(me.body()).get("userId").asText()).isEqualTo("alice");
      // Bearer tokens (keys, the caller's groups from Keycloak's admin API) and the engine's identity.
      HttpResponse<String> requests = call("GET", "/api/requests", alice, null);
      assertThat(requests.statusCode()).as(requests.body()).isEqualTo(200);
      assertThat(call("POST", "/api/requests", kc().accessToken("carol"), request("carol")).statusCode())
          .as("carol's groups, read from Keycloak: an auditor, no requester").isEqualTo(403);
      assertThat(identity.createGroupQuery().groupMember("alice").list().stream().map(Group::getId))
          .contains("airlock-requesters");
      HttpResponse<String> readiness = call("GET", "/actuator/health/readiness", null, null);
      assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
      // Signing out ends the Keycloak session through the back channel.
      assertThat(browser.webappApi("POST", "/camunda/api/admin/auth/user/default/logout", null).statusCode())
          .isEqualTo(204);
    } finally {
      kc().frontDoor(true);
    }
    HttpResponse<String> again = browser.open("/camunda/app/tasklist/");
    assertThat(again.uri().toString()).startsWith(kc().url() + "/realms/airlock/");
    assertThat(again.body()).as("Keycloak's session ended: it asks again").contains("kc-form-login");
  }

  // --- REST API: tokens --------------------------------------------------------------------------

  @Test
  void theRestApisTakeOnlyTokensOfTheRealmForAirlockAndCheckGroups() throws Exception {
    for (String path : List.of("/api/requests", "/engine-rest/task", "/v3/api-docs", "/actuator/health")) {
      HttpResponse<String> none = call("GET", path, null, null);
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(none.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
      assertThat(call("GET", path, "not-a-jwt", null).statusCode()).as(path).isEqualTo(401);
    }
    String alice = kc().accessToken("alice");
    assertThat(call("GET", "/api/requests", alice, null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/engine-rest/task", alice, null).statusCode()).isEqualTo(200);

    // A token of the realm for another audience (the identity plugin's service account) is refused.
    JsonNode serviceToken = kc().form(kc().issuer() + "/protocol/openid-connect/token", Map.of(
        "grant_type", "client_credentials", "client_id", "airlock-identity", "client_secret",
        KeycloakServer.IDENTITY_SECRET), null);
    assertThat(serviceToken.has("access_token")).as(serviceToken.toString()).isTrue();
    assertThat(call("GET", "/api/requests", serviceToken.get("access_token").asText(), null).statusCode())
        .isEqualTo(401);
    // Prometheus' client (client credentials, its service account in airlock-monitoring only)
    // reads the metrics and nothing else.
    JsonNode metricsToken = kc().form(kc().issuer() + "/protocol/openid-connect/token", Map.of(
        "grant_type", "client_credentials", "client_id", "airlock-metrics", "client_secret",
        KeycloakServer.METRICS_SECRET), null);
    assertThat(metricsToken.has("access_token")).as(metricsToken.toString()).isTrue();
    String prometheus = metricsToken.get("access_token").asText();
    HttpResponse<String> scrape = call("GET", "/actuator/prometheus", prometheus, null);
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.body()).contains("airlock_grants_active");
    assertThat(call("GET", "/api/audit", prometheus, null).statusCode()).isEqualTo(403);
    assertThat(call("GET", "/actuator/prometheus", alice, null).statusCode()).isEqualTo(403);
    // Nothing else answers it: Airlock's API, the engine REST API, the API docs, actuator (403);
    // pages and webapps take no bearer token (a sign-in at Keycloak, which a service account
    // cannot do).
    for (String path : List.of("/api/requests", "/api/catalog", "/engine-rest/task", "/engine-rest/group",
        "/engine-rest/process-definition", "/v3/api-docs", "/actuator/health")) {
      HttpResponse<String> refused = call("GET", path, prometheus, null);
      assertThat(refused.statusCode()).as(path).isEqualTo(403);
      assertThat(refused.body()).as(path).contains("reads the metrics at /actuator/prometheus and nothing else");
    }
    assertThat(call("POST", "/api/requests", prometheus, request("service-account-airlock-metrics")).statusCode())
        .isEqualTo(403);
    for (String path : List.of("/", "/requests", "/camunda/app/tasklist/", "/camunda/api/engine/engine/default/task")) {
      assertThat(call("GET", path, prometheus, null).statusCode()).as(path).isNotEqualTo(200);
    }
    // A token whose signature was tampered with is refused.
    String[] parts = alice.split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
    assertThat(call("GET", "/api/requests", forged, null).statusCode()).isEqualTo(401);

    // Signed in, wrong group: the auditor may not submit, the requester may not review.
    String carol = kc().accessToken("carol");
    HttpResponse<String> carolSubmits = call("POST", "/api/requests", carol, request("carol"));
    assertThat(carolSubmits.statusCode()).as(carolSubmits.body()).isEqualTo(403);
    HttpResponse<String> submitted = call("POST", "/api/requests", alice, request("alice"));
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    String id = json(submitted.body()).get("id").asText();
    // A requester reviewing another's request: Airlock does not even say it exists.
    HttpResponse<String> erinReviews = call("POST", "/api/requests/" + id + "/review", kc().accessToken("erin"),
        Map.of("outcome", "APPROVE"));
    assertThat(erinReviews.statusCode()).as(erinReviews.body()).isEqualTo(404);
    assertThat(json(call("GET", "/api/requests/" + id, alice, null).body()).get("status").asText())
        .isEqualTo("PENDING_REVIEW");
  }

  @Test
  void aRequestForSomeoneWithoutAnIdentityCenterUserIsA400AtSubmit() throws Exception {
    String frank = newUser("frank", "airlock-requesters");
    HttpResponse<String> r = call("POST", "/api/requests", kc().accessToken(frank), request(frank));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("principal").contains("no IAM Identity Center user named '" + frank + "'");
  }

  // --- Groups from Keycloak, read when a person acts -------------------------------------------

  @Test
  void anApproverOfKeycloakSeesTheReviewInTasklistApprovesItAndLosesTheRightWhenRemovedFromTheGroup()
      throws Exception {
    String approver = newUser("approver", "airlock-approvers");
    KeycloakBrowser browser = new KeycloakBrowser(kc().appPort);
    browser.open("/camunda/app/tasklist/");
    browser.signIn(approver, KeycloakServer.PASSWORD);
    String secret = browser.totpSecret();
    HttpResponse<String> tasklist = browser.submit(Map.of("totp", KeycloakBrowser.totp(secret, 0), "userLabel", "test"));
    assertThat(tasklist.uri().toString()).as(tasklist.body()).contains(":" + kc().appPort + "/camunda/app/tasklist/");

    String alice = kc().accessToken("alice");
    String first = json(call("POST", "/api/requests", alice, request("alice")).body()).get("id").asText();
    String second = json(call("POST", "/api/requests", alice, request("alice")).body()).get("id").asText();

    // Tasklist shows the review to the approver: candidate group airlock-approvers, from Keycloak.
    HttpResponse<String> tasks = browser.webappApi("GET",
        "/camunda/api/engine/engine/default/task?processInstanceBusinessKey=" + first, null);
    assertThat(tasks.statusCode()).as(tasks.body()).isEqualTo(200);
    assertThat(json(tasks.body())).hasSize(1);

    // A token of a sign-in with the OTP (the next period's code: a code is accepted once).
    String token = browserToken(approver, KeycloakBrowser.totp(secret, 1));
    HttpResponse<String> approved = call("POST", "/api/requests/" + first + "/review", token,
        Map.of("outcome", "APPROVE", "comment", "ok"));
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved.body()).get("reviewer").asText()).isEqualTo(approver);

    // Removed from the group in Keycloak: with the same, still valid token the request is not
    // even theirs to see any more (404, as for any non-approver), let alone to review.
    String userId = kc().userId(approver);
    String groupId = kc().admin("GET", "/groups?exact=true&search=airlock-approvers", null).get(0).get("id").asText();
    kc().admin("DELETE", "/users/" + userId + "/groups/" + groupId, null);
    HttpResponse<String> refused = call("POST", "/api/requests/" + second + "/review", token,
        Map.of("outcome", "APPROVE", "comment", "ok"));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(404);
    assertThat(json(call("GET", "/api/requests/" + second, alice, null).body()).get("status").asText())
        .isEqualTo("PENDING_REVIEW");
  }

  // --- Brute force ---------------------------------------------------------------------------------

  @Test
  void repeatedWrongPasswordsLockTheUserOutForAWhile() {
    String victim = newUser("lockout", "airlock-requesters");
    for (int i = 0; i < 5; i++) {
      assertThat(kc().passwordGrant(victim, "wrong-password-" + i).has("access_token")).isFalse();
    }
    // Now even the right password fails, at the API and in the browser, and Keycloak says why.
    assertThat(kc().passwordGrant(victim, KeycloakServer.PASSWORD).has("access_token")).isFalse();
    KeycloakBrowser browser = new KeycloakBrowser(kc().appPort);
    browser.open("/camunda/app/tasklist/");
    HttpResponse<String> page = browser.signIn(victim, KeycloakServer.PASSWORD);
    assertThat(page.uri().getPort()).isEqualTo(kc().port);
    assertThat(page.body()).contains("kc-form-login");
    JsonNode status = kc().admin("GET", "/attack-detection/brute-force/users/" + kc().userId(victim), null);
    assertThat(status.get("disabled").asBoolean()).as(status.toString()).isTrue();
    // Temporary: the realm does not disable the user for good.
    assertThat(kc().admin("GET", "/users/" + kc().userId(victim), null).get("enabled").asBoolean()).isTrue();
    assertThat(kc().admin("GET", "", null).get("permanentLockout").asBoolean()).isFalse();
  }

  // --- The engine's identity service is Keycloak --------------------------------------------------

  @Test
  void theEngineListsKeycloakUsersAndGroupsAndTheAdminGroupIsCamundaAdmin() throws Exception {
    List<String> users = identity.createUserQuery().list().stream().map(User::getId).toList();
    assertThat(users).contains("alice", "bob", "carol", "dave", "erin", "grace", "pat", "admin");
    assertThat(identity.createUserQuery().userId("alice").singleResult().getEmail()).isEqualTo("alice@example.com");
    List<String> groups = identity.createGroupQuery().list().stream().map(Group::getId).toList();
    assertThat(groups).contains("airlock-requesters", "airlock-approvers", "airlock-approvers-payments",
        "airlock-auditors", "airlock-operators", "airlock-policy-authors", "airlock-security", "camunda-admin");
    assertThat(identity.createGroupQuery().groupMember("bob").list().stream().map(Group::getId))
        .contains("airlock-approvers", "airlock-approvers-payments", "airlock-requesters");
    assertThat(identity.createUserQuery().memberOfGroup("airlock-auditors").list().stream().map(User::getId))
        .containsExactly("carol");
    assertThat(authorizations.isUserAuthorized("admin", List.of("camunda-admin"), Permissions.ALL,
        Resources.AUTHORIZATION)).isTrue();
    // Read-only, and no password sign-in through Camunda (the webapps' own login form).
    assertThat(identity.isReadOnly()).isTrue();
    // So nobody grants themselves Airlock's powers through the engine: an admin's self-addition
    // to the policy authors is refused and changes nothing; Keycloak's own process rules.
    // (The engine REST API answers any token so, before authorizations: carol's here, as an
    // admin's needs OTP at Keycloak; the identity service itself refuses the admin below.)
    String carol = kc().accessToken("carol");
    HttpResponse<String> selfAdded = call("PUT", "/engine-rest/group/airlock-policy-authors/members/carol", carol, null);
    assertThat(selfAdded.statusCode()).as(selfAdded.body()).isEqualTo(403);
    assertThat(selfAdded.body()).contains("read-only");
    assertThat(call("POST", "/engine-rest/user/create", carol, Map.of("profile", Map.of("id", "puppet"),
        "credentials", Map.of("password", "Secret-123"))).statusCode()).isEqualTo(403);
    identity.setAuthentication("admin", List.of("camunda-admin"));
    try {
      assertThatThrownBy(() -> identity.createMembership("admin", "airlock-policy-authors"))
          .hasMessageContaining("read-only");
    } finally {
      identity.clearAuthentication();
    }
    assertThat(identity.createUserQuery().memberOfGroup("airlock-policy-authors").userId("admin").count()).isZero();
    assertThat(identity.createUserQuery().memberOfGroup("airlock-policy-authors").userId("carol").count()).isZero();
    assertThat(identity.createUserQuery().userId("puppet").count()).isZero();
    boolean passwordAccepted;
    try {
      passwordAccepted = identity.checkPassword("alice", KeycloakServer.PASSWORD);
    } catch (IdentityProviderException e) {
      passwordAccepted = false; // Keycloak: "Client not allowed for direct access grants"
    }
    assertThat(passwordAccepted).isFalse();
  }

  // --- SAML from the company's identity provider ----------------------------------------------------

  /**
   * A second realm of the same Keycloak plays the company's SAML IdP (as Google Workspace, Okta
   * or Entra ID would): Airlock's realm brokers it with signature validation, and an "Advanced
   * Attribute to Group" mapper per Airlock group turns the assertion's {@code groups} attribute
   * into Keycloak groups (keycloak-realm/README.md, "Single sign-on from the company's SAML
   * identity provider").
   */
  @Test
  void aPersonOfTheCompanyIdpSignsInThroughSamlAndGetsTheGroupsTheAssertionNamed() throws Exception {
    String sam = "sam-" + UUID.randomUUID().toString().substring(0, 8);
    String pam = "pam-" + UUID.randomUUID().toString().substring(0, 8);
    String company;
    try (var in = getClass().getResourceAsStream("/keycloak/company-idp-realm.json")) {
      company = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          .replace("${USER}", sam).replace("${APPROVER}", pam).replace("${PASSWORD}", KeycloakServer.PASSWORD)
          .replace("${AIRLOCK_REALM}", kc().issuer());
    }
    kc().adminApi("POST", "", JSON.readTree(company));
    String descriptor = http.send(HttpRequest.newBuilder(URI.create(kc().url() + "/realms/company/protocol/saml/descriptor"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    java.util.regex.Matcher cert = java.util.regex.Pattern.compile("X509Certificate>([^<]+)<").matcher(descriptor);
    assertThat(cert.find()).as(descriptor).isTrue();

    Map<String, Object> config = new LinkedHashMap<>();
    config.put("entityId", kc().issuer());
    config.put("singleSignOnServiceUrl", kc().url() + "/realms/company/protocol/saml");
    config.put("singleLogoutServiceUrl", kc().url() + "/realms/company/protocol/saml");
    config.put("nameIDPolicyFormat", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified");
    config.put("principalType", "SUBJECT");
    config.put("postBindingResponse", "true");
    config.put("postBindingAuthnRequest", "false");
    config.put("validateSignature", "true");
    config.put("signingCertificate", cert.group(1).trim());
    config.put("wantAssertionsSigned", "true");
    config.put("syncMode", "FORCE");
    kc().admin("POST", "/identity-provider/instances", Map.of("alias", "company", "displayName", "Company SSO",
        "providerId", "saml", "enabled", true, "trustEmail", true, "config", config,
        "postBrokerLoginFlowAlias", "airlock post broker login"));
    for (String attribute : List.of("email", "firstName", "lastName")) {
      kc().admin("POST", "/identity-provider/instances/company/mappers", Map.of(
          "name", attribute, "identityProviderAlias", "company",
          "identityProviderMapper", "saml-user-attribute-idp-mapper",
          "config", Map.of("syncMode", "FORCE", "attribute.name", attribute, "user.attribute", attribute)));
    }
    for (String group : List.of("airlock-requesters", "airlock-auditors", "airlock-approvers")) {
      kc().admin("POST", "/identity-provider/instances/company/mappers", Map.of(
          "name", "groups contains " + group, "identityProviderAlias", "company",
          "identityProviderMapper", "saml-advanced-group-idp-mapper",
          "config", Map.of("syncMode", "FORCE", "are.attribute.values.regex", "false", "group", "/" + group,
              "attributes", JSON.writeValueAsString(List.of(Map.of("key", "groups", "value", group))))));
    }

    KeycloakBrowser browser = new KeycloakBrowser(kc().appPort);
    HttpResponse<String> login = browser.open("/camunda/app/tasklist/");
    java.util.regex.Matcher link = java.util.regex.Pattern.compile("href=\"([^\"]*/broker/company/login[^\"]*)\"")
        .matcher(login.body());
    assertThat(link.find()).as("the company's sign-in on Keycloak's page").isTrue();
    HttpResponse<String> companyLogin = browser.follow(link.group(1));
    assertThat(companyLogin.uri().getPath()).startsWith("/realms/company/");
    HttpResponse<String> assertion = browser.signIn(sam, KeycloakServer.PASSWORD);
    assertThat(assertion.body()).as("the IdP's POST of the SAML response").containsIgnoringCase("SAMLResponse");
    HttpResponse<String> tasklist = browser.submit(Map.of());
    assertThat(tasklist.statusCode()).as(tasklist.uri().toString()).isEqualTo(200);
    assertThat(tasklist.uri().toString()).as(tasklist.body())
        .startsWith("http://127.0.0.1:" + kc().appPort + "/camunda/app/tasklist/");

    // The groups the assertion named and Airlock maps, as the engine (and so policy and
    // Tasklist's candidate groups) reads them from Keycloak: not marketing (no mapper), not
    // auditors (sam is not in that group at the IdP).
    assertThat(identity.createUserQuery().userId(sam).singleResult().getEmail()).isEqualTo(sam + "@company.example");
    assertThat(identity.createGroupQuery().groupMember(sam).list().stream().map(Group::getId).toList())
        .containsExactly("airlock-requesters");
    // Signed in to Tasklist as the brokered user, with the groups' rights (requesters: Tasklist).
    HttpResponse<String> me = browser.webappApi("GET", "/camunda/api/admin/auth/user/default", null);
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    assertThat(json(me.body()).get("userId").asText()).isEqualTo(sam);
    assertThat(json(me.body()).get("authorizedApps").toString()).contains("tasklist").doesNotContain("cockpit");
    // Policy sees those groups: the catalog (dmn/access-scopes.dmn, evaluated with the groups the
    // engine reads) offers sam exactly what it offers alice, a requester of Airlock's own realm,
    // and nothing to a user in none of Airlock's groups.
    inventory.scan("test"); // the accounts and permission sets the catalog offers (not scheduled here)
    HttpResponse<String> catalog = browser.webappApi("GET", "/api/catalog", null);
    assertThat(catalog.statusCode()).as(catalog.body()).isEqualTo(200);
    List<String> offered = json(catalog.body()).findValuesAsText("permission");
    List<String> aliceIsOffered = json(call("GET", "/api/catalog", kc().accessToken("alice"), null).body())
        .findValuesAsText("permission");
    List<String> outsiderIsOffered = json(call("GET", "/api/catalog", kc().accessToken(newUser("outsider")), null)
        .body()).findValuesAsText("permission");
    assertThat(offered).isNotEmpty().containsExactlyInAnyOrderElementsOf(aliceIsOffered);
    assertThat(outsiderIsOffered).as("a user in none of Airlock's groups").isEmpty();

    // An approver of the company IdP lands in airlock-approvers, and so must set up Airlock's
    // second factor before the sign-in ends (the IdP's post login flow): no approving without it.
    KeycloakBrowser approver = new KeycloakBrowser(kc().appPort);
    java.util.regex.Matcher approverLink = java.util.regex.Pattern.compile("href=\"([^\"]*/broker/company/login[^\"]*)\"")
        .matcher(approver.open("/camunda/app/tasklist/").body());
    assertThat(approverLink.find()).isTrue();
    approver.follow(approverLink.group(1));
    approver.signIn(pam, KeycloakServer.PASSWORD);
    HttpResponse<String> otp = approver.submit(Map.of());
    assertThat(otp.uri().getPort()).as(otp.body()).isEqualTo(kc().port);
    assertThat(approver.totpSecret()).as("Keycloak's OTP set-up page").isNotBlank();
    assertThat(identity.createGroupQuery().groupMember(pam).list().stream().map(Group::getId).toList())
        .contains("airlock-approvers");
    assertThat(approver.webappApi("GET", "/camunda/api/admin/auth/user/default", null).statusCode()).isEqualTo(401);
  }

  // --- Step-up for approvals ------------------------------------------------------------------------

  /**
   * An approval needs a sign-in with a second factor at most 15 minutes old (issue 24, point 6): a
   * sign-in without one is refused on every surface (API 401 with RFC 9470's challenge, engine REST
   * the same, Tasklist 403 naming the step-up), audited, and changes nothing; the approver steps up
   * through Keycloak (password and OTP again), comes back to the task and approves. A token with the
   * OTP is accepted, and no longer once its sign-in is older than the window.
   */
  @Test
  void anApprovalNeedsARecentSecondFactorAndTheApproverStepsUpAtKeycloakToGiveIt() throws Exception {
    Set<Long> usedCodes = new HashSet<>();
    String[] otpApprover = approverWithOtp("stepup", usedCodes);
    String approver = otpApprover[0];
    String secret = otpApprover[1];
    // A sign-in without the second factor: made while the person was not an approver yet (Keycloak
    // asks approvers only), as for someone added to an approver group during their session.
    membership(approver, "airlock-approvers", false);
    String passwordOnly = kc().accessToken(approver);
    KeycloakBrowser browser = new KeycloakBrowser(kc().appPort);
    browser.open("/camunda/app/tasklist/");
    assertThat(browser.signIn(approver, KeycloakServer.PASSWORD).uri().getPort()).isEqualTo(kc().appPort);
    membership(approver, "airlock-approvers", true);

    String erin = kc().accessToken("erin");
    HttpResponse<String> submitted = call("POST", "/api/requests", erin, request("erin"));
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    String id = json(submitted.body()).get("id").asText();
    assertThat(json(submitted.body()).get("status").asText()).isEqualTo("PENDING_REVIEW");
    long mark = auditHead();

    // Airlock's API: 401, RFC 9470's challenge, a sentence for the person.
    HttpResponse<String> viaApi = call("POST", "/api/requests/" + id + "/review", passwordOnly,
        Map.of("outcome", "APPROVE", "comment", "ok"));
    assertThat(viaApi.statusCode()).as(viaApi.body()).isEqualTo(401);
    assertThat(viaApi.headers().firstValue("WWW-Authenticate").orElse(""))
        .contains("error=\"insufficient_user_authentication\"", "max_age=900");
    assertThat(viaApi.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
    assertThat(json(viaApi.body()).get("detail").asText())
        .contains("after signing in with your second factor", "within 15 min", "without a second factor");
    // The engine REST API: the same.
    JsonNode tasks = json(call("GET", "/engine-rest/task?processInstanceBusinessKey=" + id, passwordOnly, null).body());
    assertThat(tasks).hasSize(1);
    String taskId = tasks.get(0).get("id").asText();
    HttpResponse<String> viaEngine = call("POST", "/engine-rest/task/" + taskId + "/complete", passwordOnly,
        Map.of("variables", Map.of("reviewOutcome", Map.of("value", "APPROVE"))));
    assertThat(viaEngine.statusCode()).as(viaEngine.body()).isEqualTo(401);
    assertThat(viaEngine.headers().firstValue("WWW-Authenticate").orElse("")).contains("insufficient_user_authentication");
    // Tasklist (once its cached groups include the approver group): 403 naming the step-up.
    String submitForm = "/camunda/api/engine/engine/default/task/" + taskId + "/submit-form";
    String approve = "{\"variables\":{\"reviewOutcome\":{\"value\":\"APPROVE\"},\"reviewComment\":{\"value\":\"ok\"}}}";
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(2)).until(() ->
        json(browser.webappApi("GET", "/camunda/api/engine/engine/default/task?processInstanceBusinessKey=" + id, null)
            .body()).size() == 1);
    HttpResponse<String> viaTasklist = browser.webappApi("POST", submitForm, approve);
    assertThat(viaTasklist.statusCode()).as(viaTasklist.body()).isEqualTo(403);
    assertThat(json(viaTasklist.body()).get("type").asText()).isEqualTo("StepUpRequired");
    assertThat(json(viaTasklist.body()).get("stepUp").asText()).isEqualTo("/login/step-up");

    // Nothing changed: still waiting, nothing in AWS, each refusal audited.
    assertThat(status(id, erin)).isEqualTo("PENDING_REVIEW");
    try (SsoAdminClient sso = SandboxSso.client(sandbox)) {
      assertThat(SandboxSso.assignments(sso, DemoOrganization.SANDBOX_ACCOUNT_ID,
          DemoOrganization.POWER_USER_PERMISSION_SET_ARN)).noneMatch(a -> DemoOrganization.ERIN_USER_ID.equals(a.principalId()));
    }
    List<String> refusals = jdbc.queryForList("SELECT details FROM audit_event WHERE seq > ? AND action = 'refused.review'"
        + " AND actor = ? AND request_id = ?", String.class, mark, approver, id);
    assertThat(refusals).hasSize(3).allSatisfy(d -> assertThat(d).contains("\"stepUp\":true", "no second factor within PT15M"));
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM audit_event WHERE seq > ? AND action = 'review.approved'"
        + " AND request_id = ?", Integer.class, mark, id)).isZero();

    // The step-up: Keycloak asks for the password and the second factor again, and sends the
    // approver back to the task (the Tasklist plugin opens this page on the 403).
    String task = "/camunda/app/tasklist/default/#/?task=" + taskId;
    HttpResponse<String> again = browser.open("/login/step-up?continue=" + URLEncoder.encode(task, StandardCharsets.UTF_8));
    assertThat(again.uri().getPort()).as("Keycloak asks again, though its session is alive").isEqualTo(kc().port);
    assertThat(again.uri().getQuery()).contains("prompt=login", "max_age=900");
    assertThat(again.body()).contains("kc-form-login");
    HttpResponse<String> otp = browser.signIn(approver, KeycloakServer.PASSWORD);
    assertThat(otp.uri().getPort()).isEqualTo(kc().port);
    assertThat(otp.body()).contains("name=\"otp\"");
    HttpResponse<String> back = browser.submit(Map.of("otp", totp(secret, usedCodes)));
    assertThat(back.uri().toString()).as(back.body())
        .startsWith("http://127.0.0.1:" + kc().appPort + "/camunda/app/tasklist/default/");
    HttpResponse<String> approved = browser.webappApi("POST", submitForm, approve);
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(204);
    // Signed in with it just now: the step-up page goes straight back, without Keycloak.
    HttpResponse<String> fresh = browser.open("/login/step-up?continue=/camunda/app/tasklist/");
    assertThat(fresh.uri().toString()).startsWith("http://127.0.0.1:" + kc().appPort + "/camunda/app/tasklist/");
    await().atMost(Duration.ofSeconds(60)).until(() -> "ACTIVE".equals(status(id, kc().accessToken("erin"))));
    try (SsoAdminClient sso = SandboxSso.client(sandbox)) {
      assertThat(SandboxSso.assignments(sso, DemoOrganization.SANDBOX_ACCOUNT_ID,
          DemoOrganization.POWER_USER_PERMISSION_SET_ARN)).anyMatch(a -> DemoOrganization.ERIN_USER_ID.equals(a.principalId()));
    }

    // A token with the OTP approves; the same sign-in 16 minutes later does not.
    String second = json(call("POST", "/api/requests", kc().accessToken("erin"), request("erin")).body()).get("id").asText();
    String withOtp = browserToken(approver, totp(secret, usedCodes));
    clock.advance(Duration.ofMinutes(16));
    try {
      HttpResponse<String> late = call("POST", "/api/requests/" + second + "/review", withOtp,
          Map.of("outcome", "APPROVE", "comment", "ok"));
      assertThat(late.statusCode()).as(late.body()).isEqualTo(401);
      assertThat(json(late.body()).get("detail").asText()).contains("you signed in 16 min ago");
    } finally {
      clock.reset();
    }
    HttpResponse<String> inTime = call("POST", "/api/requests/" + second + "/review", withOtp,
        Map.of("outcome", "APPROVE", "comment", "ok"));
    assertThat(inTime.statusCode()).as(inTime.body()).isEqualTo(200);
    assertThat(json(inTime.body()).get("reviewer").asText()).isEqualTo(approver);
  }

  /** WebAuthn (security keys, passkeys) is offered next to OTP, and whoever has one may register it. */
  @Test
  void theRealmOffersSecurityKeysNextToOtp() {
    JsonNode actions = kc().admin("GET", "/authentication/required-actions", null);
    assertThat(actions.findValuesAsText("alias")).contains("CONFIGURE_TOTP", "webauthn-register");
    for (JsonNode a : actions) {
      if (List.of("CONFIGURE_TOTP", "webauthn-register").contains(a.get("alias").asText())) {
        assertThat(a.get("enabled").asBoolean()).as(a.toString()).isTrue();
      }
    }
    JsonNode executions = kc().admin("GET", "/authentication/flows/airlock%20browser/executions", null);
    assertThat(executions.findValuesAsText("providerId")).contains("webauthn-authenticator", "auth-otp-form");
  }

  // --- Keycloak stops during a review (issue 29) ----------------------------------------------------

  /**
   * Keycloak stops (its process killed) while a request waits for review: the approver's attempt,
   * with a token they got before, answers 503 in Airlock's words with a Retry-After on Airlock's API
   * and on the engine's, never 500 nor a class name; a token whose key the node would have to fetch
   * is the same 503, not a 401; nothing is approved; each refused attempt is audited. Last in the
   * class: Keycloak stays stopped (the next user of {@link KeycloakServer} starts it again).
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void whenKeycloakStopsAnApproversReviewIs503InWordsAuditedAndApprovesNothing() throws Exception {
    Set<Long> usedCodes = new HashSet<>();
    String[] withOtp = approverWithOtp("outage", usedCodes);
    String approver = withOtp[0];
    String token = browserToken(approver, totp(withOtp[1], usedCodes));
    String erin = kc().accessToken("erin");
    HttpResponse<String> submitted = call("POST", "/api/requests", erin, request("erin"));
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    String id = json(submitted.body()).get("id").asText();
    JsonNode tasks = json(call("GET", "/engine-rest/task?processInstanceBusinessKey=" + id, token, null).body());
    assertThat(tasks).hasSize(1);
    String taskId = tasks.get(0).get("id").asText();
    // A token whose key id the node has not seen: it would have to ask Keycloak for its keys.
    String[] parts = token.split("\\.");
    String unknownKey = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"rotated-key\"}".getBytes(StandardCharsets.UTF_8))
        + "." + parts[1] + "." + parts[2];
    long mark = auditHead();
    List<?> assigned;
    try (SsoAdminClient sso = SandboxSso.client(sandbox)) {
      assigned = SandboxSso.assignments(sso, DemoOrganization.SANDBOX_ACCOUNT_ID,
          DemoOrganization.POWER_USER_PERMISSION_SET_ARN);
    }

    long stopping = System.nanoTime();
    kc().stop();
    long stopMillis = (System.nanoTime() - stopping) / 1_000_000;
    assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(kc().internalUrl())).build(),
        HttpResponse.BodyHandlers.discarding())).as("Keycloak is gone").isInstanceOf(IOException.class);

    long asking = System.nanoTime();
    Map<String, HttpResponse<String>> attempts = new LinkedHashMap<>();
    attempts.put("Airlock's API", call("POST", "/api/requests/" + id + "/review", token,
        Map.of("outcome", "APPROVE", "comment", "ok")));
    attempts.put("the engine REST API", call("POST", "/engine-rest/task/" + taskId + "/complete", token,
        Map.of("variables", Map.of("reviewOutcome", Map.of("value", "APPROVE")))));
    attempts.put("a key to fetch", call("POST", "/api/requests/" + id + "/review", unknownKey,
        Map.of("outcome", "APPROVE", "comment", "ok")));
    long answerMillis = (System.nanoTime() - asking) / 1_000_000 / attempts.size();
    attempts.forEach((surface, r) -> {
      assertThat(r.statusCode()).as(surface + ": " + r.body()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).as(surface).isPresent();
      assertThat(r.headers().firstValue("Content-Type").orElse("")).as(surface).contains("application/problem+json");
      assertThat(json(r.body()).get("detail").asText()).as(surface)
          .startsWith("Airlock cannot reach the identity provider (Keycloak)").contains("nothing was done");
      assertThat(r.body()).as(surface).doesNotContain("Exception", "org.", "io.airlock", "java.");
    });

    // Nothing approved, nothing in AWS, each attempt on record.
    assertThat(jdbc.queryForObject("SELECT status FROM access_request WHERE id = ?", String.class, id))
        .isEqualTo("PENDING_REVIEW");
    try (SsoAdminClient sso = SandboxSso.client(sandbox)) {
      assertThat(SandboxSso.assignments(sso, DemoOrganization.SANDBOX_ACCOUNT_ID,
          DemoOrganization.POWER_USER_PERMISSION_SET_ARN)).as("no assignment made or removed").isEqualTo(assigned);
    }
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM audit_event WHERE seq > ? AND action = 'review.approved'"
        + " AND request_id = ?", Integer.class, mark, id)).isZero();
    List<Map<String, Object>> refused = jdbc.queryForList("SELECT actor, details FROM audit_event WHERE seq > ?"
        + " AND action = 'refused.unavailable' ORDER BY seq", mark);
    assertThat(refused).extracting(r -> r.get("actor") + " " + r.get("details")).satisfiesExactly(
        r -> assertThat(r).startsWith(approver + " ").contains("/api/requests/" + id + "/review", "identity provider"),
        r -> assertThat(r).startsWith(approver + " ").contains("/engine-rest/task/" + taskId + "/complete"),
        r -> assertThat(r).startsWith("anonymous ").contains("/api/requests/" + id + "/review"));
    System.out.printf("Keycloak outage: stopped in %d ms; each refused review answered in %d ms%n", stopMillis,
        answerMillis);
  }

  /**
   * The access token of a browser sign-in (authorization code of the test client), with the OTP when
   * given: it carries {@code auth_time} and {@code amr}, as airlock-cli's device sign-in does.
   */
  private static String browserToken(String user, String totp) {
    String redirect = "http://127.0.0.1:" + kc().appPort + KeycloakServer.TEST_CALLBACK;
    KeycloakBrowser browser = new KeycloakBrowser(kc().appPort);
    browser.openUrl(kc().issuer() + "/protocol/openid-connect/auth?response_type=code&scope=openid&client_id="
        + KeycloakServer.TEST_CLIENT + "&redirect_uri=" + URLEncoder.encode(redirect, StandardCharsets.UTF_8));
    HttpResponse<String> signedIn = browser.signIn(user, KeycloakServer.PASSWORD);
    HttpResponse<String> page = totp == null ? signedIn : browser.submit(Map.of("otp", totp));
    String code = java.util.Arrays.stream(String.valueOf(page.uri().getRawQuery()).split("&"))
        .filter(p -> p.startsWith("code=")).map(p -> java.net.URLDecoder.decode(p.substring(5), StandardCharsets.UTF_8))
        .findFirst().orElseThrow(() -> new IllegalStateException("no code: " + page.uri() + " " + page.body()));
    JsonNode token = kc().form(kc().issuer() + "/protocol/openid-connect/token", Map.of("grant_type",
        "authorization_code", "client_id", KeycloakServer.TEST_CLIENT, "code", code, "redirect_uri", redirect), null);
    if (!token.has("access_token")) {
      throw new IllegalStateException("no token for " + user + ": " + token);
    }
    return token.get("access_token").asText();
  }

  /**
   * A new approver who has set up OTP at their first sign-in (Keycloak asks approvers to): their
   * user name and TOTP secret.
   */
  private static String[] approverWithOtp(String prefix, Set<Long> usedCodes) {
    String approver = newUser(prefix, "airlock-approvers");
    KeycloakBrowser setUp = new KeycloakBrowser(kc().appPort);
    setUp.open("/camunda/app/tasklist/");
    setUp.signIn(approver, KeycloakServer.PASSWORD);
    String secret = setUp.totpSecret();
    setUp.submit(Map.of("totp", totp(secret, usedCodes), "userLabel", "test"));
    return new String[] {approver, secret};
  }

  /** Adds {@code user} to or removes them from a Keycloak group. */
  private static void membership(String user, String group, boolean member) {
    String groupId = kc().admin("GET", "/groups?exact=true&search=" + group, null).get(0).get("id").asText();
    kc().admin(member ? "PUT" : "DELETE", "/users/" + kc().userId(user) + "/groups/" + groupId, null);
  }

  /** A TOTP code not used before (Keycloak accepts each once), from the periods it accepts now. */
  private static String totp(String secret, Set<Long> used) {
    long now = java.time.Instant.now().getEpochSecond() / 30;
    for (int offset : new int[] {0, 1, -1}) {
      if (used.add(now + offset)) {
        return KeycloakBrowser.totp(secret, offset);
      }
    }
    throw new IllegalStateException("no unused TOTP period left; wait 30 s");
  }

  private String status(String id, String token) throws Exception {
    return json(call("GET", "/api/requests/" + id, token, null).body()).get("status").asText();
  }

  private long auditHead() {
    return jdbc.queryForObject("SELECT last_seq FROM audit_chain WHERE id = 1", Long.class);
  }

  // --- helpers -------------------------------------------------------------------------------------

  /** A new Keycloak user with the test password in the given groups; returns the user name. */
  private static String newUser(String prefix, String... groups) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("username", name);
    user.put("enabled", true);
    user.put("email", name + "@example.com");
    user.put("emailVerified", true);
    user.put("firstName", "Test");
    user.put("lastName", prefix);
    user.put("groups", List.of(groups).stream().map(g -> "/" + g).toList());
    user.put("credentials", List.of(Map.of("type", "password", "value", KeycloakServer.PASSWORD, "temporary", false)));
    kc().admin("POST", "/users", user);
    return name;
  }

  private static Map<String, Object> request(String principal) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("system", "AWS");
    r.put("target", DemoOrganization.SANDBOX_ACCOUNT_ID);
    r.put("principal", principal);
    r.put("permission", "PowerUserAccess");
    r.put("duration", "PT1H");
    r.put("justification", "Investigate incident INC-42 in the sandbox account");
    return r;
  }

  private HttpResponse<String> call(String method, String path, String token, Object body) throws IOException,
      InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kc().appPort + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A JWT's claims, as anyone can read them (no signature check). */
  private static JsonNode claims(String jwt) {
    return json(new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + body, e);
    }
  }
}
