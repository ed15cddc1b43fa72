package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.WebappSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The web surface as a browser, an attacker's page and a script see it, over HTTP against the
 * whole application on PostgreSQL: no Basic challenge anywhere (no browser login pop-up), the
 * webapps' sign-in without a loop, no cross-site writes, JSON only, clear 400s for bad JSON and
 * hidden characters, sign-in throttling that never locks a user out for good, and refusals
 * logged as one WARN line rather than Camunda's ERROR.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "airlock.inventory.scheduled=false",
    // Sign-in delays of a second at most, so the test waits them out quickly.
    "camunda.bpm.generic-properties.properties.loginDelayBase=1",
    "camunda.bpm.generic-properties.properties.loginDelayFactor=2",
    "camunda.bpm.generic-properties.properties.loginDelayMaxTime=1"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class WebSurfaceSecurityIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EVIL = "https://evil.example";
  private static final String LOCKOUT_USER = "lockout-test";
  private static final String LOCKOUT_PASSWORD = "correct-horse-7";

  @LocalServerPort int port;
  @Autowired IdentityService identity;
  @Autowired JdbcTemplate jdbc;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void lockoutUser() {
    if (identity.createUserQuery().userId(LOCKOUT_USER).count() == 0) {
      User u = identity.newUser(LOCKOUT_USER);
      u.setFirstName("Lock");
      u.setLastName("Out");
      u.setPassword(LOCKOUT_PASSWORD);
      identity.saveUser(u);
      identity.createMembership(LOCKOUT_USER, "airlock-requesters"); // may sign in to Tasklist
    }
  }

  // --- 1. No login pop-ups -------------------------------------------------------------------

  @Test
  void noAnswerAnywhereAsksTheBrowserForBasicCredentials() {
    Map<String, Integer> expected = new LinkedHashMap<>();
    expected.put("/api/requests", 401);
    expected.put("/api/requests/anything", 401);
    expected.put("/engine-rest/task", 401);
    expected.put("/engine-rest/deployment", 401);
    expected.put("/v3/api-docs", 401);
    expected.put("/actuator/health", 401);
    expected.put("/error", 401);
    // The webapps' own error answers, forwarded to /error, keep their status.
    expected.put("/camunda/api/admin/auth/user/default", 404);
    expected.put("/camunda/app/tasklist/no-such-file.js", 404);
    expected.put("/camunda/api/no-such-api", 404);
    for (String user : new String[] {null, "mallory:wrong", "carol:wrong-password"}) {
      for (Map.Entry<String, Integer> e : expected.entrySet()) {
        HttpResponse<String> r = send(get(e.getKey()), user);
        assertThat(r.headers().allValues("WWW-Authenticate")).as(user + " " + e.getKey()).isEmpty();
        assertThat(r.statusCode()).as(user + " " + e.getKey() + " " + r.body()).isEqualTo(e.getValue());
        assertThat(r.body()).as(e.getKey()).doesNotContain("Exception", "\"trace\"", "\tat ");
        assertThat(r.headers().firstValue("X-Airlock-Sandbox")).as("sandbox mode says so: " + e.getKey())
            .hasValueSatisfying(v -> assertThat(v).startsWith("true"));
      }
      HttpResponse<String> engineApi = send(get("/camunda/api/engine/engine/default/task"), user);
      assertThat(engineApi.headers().allValues("WWW-Authenticate")).isEmpty();
      assertThat(engineApi.statusCode()).as(engineApi.body()).isIn(401, 403);
      assertThat(engineApi.body()).doesNotContain("Exception", "\"trace\"", "\tat ");
    }
    HttpResponse<String> unauthorized = send(get("/api/requests"), null);
    assertThat(unauthorized.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).contains("application/problem+json"));
    assertThat(json(unauthorized).get("detail").asText()).contains("Sign in");

    // Signed in, with credentials sent up front as scripts and Camunda Modeler do.
    for (String path : List.of("/api/requests", "/engine-rest/deployment", "/v3/api-docs", "/actuator/health",
        "/api/requests/does-not-exist", "/engine-rest/task/does-not-exist")) {
      HttpResponse<String> r = send(get(path), "admin:airlock");
      assertThat(r.headers().allValues("WWW-Authenticate")).as(path).isEmpty();
      assertThat(r.statusCode()).as(path + " " + r.body()).isIn(200, 404);
    }
  }

  @Test
  void rootAndWelcomeOpenAndSigningInLeadsToTasklistWithoutALoop() throws Exception {
    for (String path : List.of("/", "/camunda/app/welcome/", "/camunda/app/tasklist/")) {
      HttpResponse<String> page = following.send(get(path).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.headers().allValues("WWW-Authenticate")).isEmpty();
      assertThat(page.body()).as(path).containsIgnoringCase("<html");
    }

    WebappSession browser = new WebappSession(port);
    assertThat(browser.get("/camunda/api/admin/auth/user/default").statusCode()).isEqualTo(404);
    assertThat(browser.login("dave", "airlock")).isEqualTo(200);
    HttpResponse<String> me = browser.get("/camunda/api/admin/auth/user/default");
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(WebappSession.json(me).get("userId").asText()).isEqualTo("dave");
    assertThat(WebappSession.json(me).get("authorizedApps").toString()).contains("tasklist");
    HttpResponse<String> tasklist = browser.get("/camunda/app/tasklist/default/");
    assertThat(tasklist.statusCode()).isEqualTo(200);
    HttpResponse<String> tasks = browser.get("/camunda/api/engine/engine/default/task?maxResults=1");
    assertThat(tasks.statusCode()).as(tasks.body()).isEqualTo(200);
  }

  @Test
  void airlocksPagesNeedSignInShareTheWebappsSessionRefuseFormsWithoutTheirTokenAndSignOutWithTheWebapps() {
    // Not signed in: the sign-in page, never a Basic challenge.
    HttpResponse<String> anonymous = send(get("/requests"), null);
    assertThat(anonymous.statusCode()).isEqualTo(302);
    assertThat(anonymous.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/sign-in"));
    assertThat(anonymous.headers().allValues("WWW-Authenticate")).isEmpty();

    WebappSession browser = new WebappSession(port);
    assertThat(browser.login("alice", "airlock")).isEqualTo(200);
    HttpResponse<String> home = browser.get("/");
    assertThat(home.statusCode()).as("a Tasklist sign-in counts on Airlock's pages").isEqualTo(200);
    assertThat(home.body()).contains("Hello, alice");
    assertThat(home.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
        .contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'")
        .doesNotContain("unsafe-inline", "unsafe-eval"));
    assertThat(home.body()).doesNotContain("<script>", "style=\"");

    // A form posted without the page's CSRF token (as another site would make the browser do): refused.
    HttpResponse<String> forged = browser.postJsonWithoutXsrfToken("/requests/some-request/withdraw", Map.of());
    assertThat(forged.statusCode()).isEqualTo(403);

    // The webapps' sign-out ends Airlock's pages too: one session, one sign-out.
    assertThat(browser.postJson("/camunda/api/admin/auth/user/default/logout", Map.of()).statusCode()).isIn(200, 204);
    HttpResponse<String> after = browser.get("/");
    assertThat(after.statusCode()).isEqualTo(302);
    assertThat(after.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/sign-in"));
  }

  // --- 2. No cross-site writes ---------------------------------------------------------------

  @Test
  void crossSiteWritesAreRefusedWhateverTheContentTypeAndCreateNothing() {
    int before = requestCount();
    String ownOrigin = "http://127.0.0.1:" + port;
    String body = json(request("alice"));
    String variables = json(Map.of("businessKey", "cross-site", "variables", Map.of(
        "system", Map.of("value", "AWS"), "target", Map.of("value", "222222222222"),
        "principal", Map.of("value", "alice"), "permission", Map.of("value", "ReadOnlyAccess"),
        "duration", Map.of("value", "PT1H"), "justification", Map.of("value", "cross-site attempt"))));

    List<HttpResponse<String>> refused = List.of(
        send(post("/api/requests", "application/x-www-form-urlencoded", "system=AWS&target=222222222222")
            .header("Origin", EVIL), "alice:airlock"),
        send(post("/api/requests", "text/plain", body).header("Origin", EVIL), "alice:airlock"),
        send(post("/api/requests", "application/json", body).header("Origin", EVIL), "alice:airlock"),
        send(post("/api/requests", "application/json", body).header("Origin", "null"), "alice:airlock"),
        send(post("/api/requests", "application/json", body).header("Sec-Fetch-Site", "cross-site"),
            "alice:airlock"),
        send(post("/api/requests/anything/revoke", null, null).header("Origin", EVIL), "alice:airlock"),
        send(post("/engine-rest/process-definition/key/access-request/start", "application/json", variables)
            .header("Origin", EVIL), "alice:airlock"),
        send(post("/engine-rest/process-definition/key/access-request/start", "text/plain", variables)
            .header("Sec-Fetch-Site", "cross-site"), "alice:airlock"),
        // Same host, other port: another origin.
        send(post("/api/requests", "application/json", body).header("Origin", "http://127.0.0.1:1"),
            "alice:airlock"));
    for (HttpResponse<String> r : refused) {
      assertThat(r.statusCode()).as(r.request().uri() + " " + r.body()).isEqualTo(403);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
      assertThat(json(r).get("detail").asText()).containsAnyOf("another origin", "another site");
    }
    assertThat(requestCount()).isEqualTo(before);

    // Same origin, same site and clients that send no Origin (curl, Modeler) still write.
    assertThat(send(post("/api/requests", "application/json", body).header("Origin", ownOrigin),
        "alice:airlock").statusCode()).isEqualTo(201);
    assertThat(send(post("/api/requests", "application/json; charset=utf-8", body)
        .header("Sec-Fetch-Site", "same-origin"), "alice:airlock").statusCode()).isEqualTo(201);
    assertThat(send(post("/api/requests", "application/json", body), "alice:airlock").statusCode())
        .isEqualTo(201);
    assertThat(requestCount()).isEqualTo(before + 3);
  }

  @Test
  void airlocksApiTakesJsonBodiesOnly() {
    int before = requestCount();
    String body = json(request("erin"));
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/xml")) {
      HttpResponse<String> r = send(post("/api/requests", type, body), "erin:airlock");
      assertThat(r.statusCode()).as(type).isEqualTo(415);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
      assertThat(json(r).get("detail").asText()).contains("application/json");
    }
    HttpResponse<String> noType = send(HttpRequest.newBuilder(URI.create(base() + "/api/requests"))
        .POST(HttpRequest.BodyPublishers.ofString(body)), "erin:airlock");
    assertThat(noType.statusCode()).isEqualTo(415);
    assertThat(requestCount()).isEqualTo(before);

    // A write without a body (revoke) is not a media-type question: it reaches the endpoint.
    HttpResponse<String> revoke = send(post("/api/requests/no-such-request/revoke", null, null), "erin:airlock");
    assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(404);
  }

  @Test
  void webappApiRefusesASessionPostWithoutItsCsrfToken() {
    WebappSession browser = new WebappSession(port);
    assertThat(browser.login("dave", "airlock")).isEqualTo(200);
    // As Tasklist does after signing in: a GET hands out the new session's token.
    assertThat(browser.get("/camunda/api/admin/auth/user/default").statusCode()).isEqualTo(200);
    String query = "/camunda/api/engine/engine/default/process-instance";
    HttpResponse<String> withToken = browser.postJson(query, Map.of());
    assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(200);

    HttpResponse<String> forged = browser.postJsonWithoutXsrfToken(query, Map.of());
    assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
    assertThat(forged.headers().allValues("WWW-Authenticate")).isEmpty();
    assertThat(forged.headers().firstValue("X-XSRF-TOKEN")).hasValue("Required");
    // Camunda's CSRF filter also ends the session it was sent with.
    assertThat(browser.get("/camunda/api/admin/auth/user/default").statusCode()).isEqualTo(404);
  }

  // --- 3. No lock-out by strangers -----------------------------------------------------------

  @Test
  void failedSignInsDelayTheNextOneButNeverLockTheUserOutForGood() {
    String wrong = LOCKOUT_USER + ":guess";
    String right = LOCKOUT_USER + ":" + LOCKOUT_PASSWORD;
    assertThat(send(get("/api/requests"), right).statusCode()).isEqualTo(200);

    // A failed sign-in: for a moment even the right password is refused, then it works again.
    assertThat(send(get("/api/requests"), wrong).statusCode()).isEqualTo(401);
    assertThat(send(get("/api/requests"), right).statusCode()).isEqualTo(401);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> send(get("/api/requests"), right).statusCode() == 200);

    // A stranger has failed 25 times in a row (recorded as Camunda records it, rather than
    // waiting out 25 delays); Camunda's default would lock the user for good after 10.
    jdbc.update("update ACT_ID_USER set ATTEMPTS_ = 25 where ID_ = ?", LOCKOUT_USER);
    WebappSession stranger = new WebappSession(port);
    assertThat(stranger.login(LOCKOUT_USER, "another-guess")).isEqualTo(401);
    assertThat(jdbc.queryForObject("select ATTEMPTS_ from ACT_ID_USER where ID_ = ?", Integer.class, LOCKOUT_USER))
        .isEqualTo(26);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> new WebappSession(port).login(LOCKOUT_USER, LOCKOUT_PASSWORD) == 200);
    assertThat(send(get("/api/requests"), right).statusCode()).isEqualTo(200);
  }

  // --- 4. Input hygiene ----------------------------------------------------------------------

  @Test
  void duplicateKeysAndMalformedJsonAreRefusedNamingTheProblem() {
    int before = requestCount();
    HttpResponse<String> duplicate = send(post("/api/requests", "application/json",
        "{\"system\":\"AWS\",\"target\":\"222222222222\",\"target\":\"444444444444\",\"principal\":\"alice\","
            + "\"permission\":\"ReadOnlyAccess\",\"duration\":\"PT1H\",\"justification\":\"x\"}"), "alice:airlock");
    assertThat(duplicate.statusCode()).isEqualTo(400);
    assertThat(duplicate.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
    assertThat(json(duplicate).get("detail").asText()).contains("duplicate key", "'target'");

    HttpResponse<String> malformed = send(post("/api/requests", "application/json",
        "{\"system\": \"AWS\",\n \"target\": }"), "alice:airlock");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).get("detail").asText()).contains("line 2, column");

    HttpResponse<String> wrongType = send(post("/api/requests", "application/json",
        "{\"system\":\"AWS\",\"target\":{\"id\":1}}"), "alice:airlock");
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(json(wrongType).get("errors").findValuesAsText("field")).containsExactly("target");
    assertThat(json(wrongType).get("detail").asText()).contains("target", "wrong type").doesNotContain("java.");

    HttpResponse<String> review = send(post("/api/requests/x/review", "application/json",
        "{\"outcome\":\"DENY\",\"outcome\":\"APPROVE\"}"), "bob:airlock");
    assertThat(review.statusCode()).isEqualTo(400);
    assertThat(json(review).get("detail").asText()).contains("'outcome'");
    assertThat(requestCount()).isEqualTo(before);
  }

  @Test
  void controlAndBidiCharactersAreRefusedNamingEachField() {
    int before = requestCount();
    Map<String, Object> r = request("alice");
    r.put("justification", "Fix the queue\u0000 now");
    r.put("principal", "alice\u001b[2J");
    r.put("ticket", "INC-1\u202Eexe.txt");
    HttpResponse<String> refused = send(post("/api/requests", "application/json", json(r)), "alice:airlock");
    assertThat(refused.statusCode()).isEqualTo(400);
    JsonNode errors = json(refused).get("errors");
    Map<String, String> byField = new LinkedHashMap<>();
    errors.forEach(e -> byField.merge(e.get("field").asText(), e.get("message").asText(), (a, b) -> a + " | " + b));
    assertThat(byField).containsOnlyKeys("justification", "principal", "ticket");
    assertThat(byField.get("justification")).contains("control character (U+0000)");
    assertThat(byField.get("principal")).contains("control character (U+001B)");
    assertThat(byField.get("ticket")).contains("bidirectional control (U+202E)");

    // Line breaks and tabs in a justification are text, not control.
    Map<String, Object> multiline = request("alice");
    multiline.put("justification", "Line one\r\n\tline two");
    assertThat(send(post("/api/requests", "application/json", json(multiline)), "alice:airlock").statusCode())
        .isEqualTo(201);
    assertThat(requestCount()).isEqualTo(before + 1);
  }

  @Test
  void refusalsInsideTheEngineAreOneWarnLineAndRealErrorsStillLogged(CapturedOutput output) {
    int from = output.getOut().length();
    // Bad input through the engine REST API: the register delegate refuses it in a command.
    String variables = json(Map.of("variables", Map.of(
        "system", Map.of("value", "AWS"), "target", Map.of("value", "222222222222"),
        "principal", Map.of("value", "alice"), "permission", Map.of("value", "ReadOnlyAccess"),
        "duration", Map.of("value", "soon\nERROR forged line"), "justification", Map.of("value", "check logs"))));
    HttpResponse<String> refused = send(post("/engine-rest/process-definition/key/access-request/start",
        "application/json", variables), "alice:airlock");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
    await().atMost(Duration.ofSeconds(5)).until(() -> output.getOut().substring(from).contains("Refused:"));
    String logged = output.getOut().substring(from);
    assertThat(logged).doesNotContain("ENGINE-16004").doesNotContain("\tat io.airlock");
    assertThat(logged.lines().filter(l -> l.contains("Refused: InvalidRequestException"))).singleElement()
        .satisfies(l -> assertThat(l).contains("WARN", "soon\\nERROR forged line"));
    assertThat(logged.lines()).noneMatch(l -> l.startsWith("ERROR forged line"));

    // What Camunda logs for any other failure of a command stays an ERROR with its trace.
    int mark = output.getOut().length();
    var context = LoggerFactory.getLogger("org.camunda.bpm.engine.context");
    context.error("ENGINE-16004 Exception while closing command context: {}", "boom",
        new IllegalStateException("boom", new RuntimeException("database gone")));
    context.error("ENGINE-16004 Exception while closing command context: {}", "wrapped",
        new org.camunda.bpm.engine.ProcessEngineException("wrapped", new io.airlock.request.ForbiddenActionException("no")));
    String after = output.getOut().substring(mark);
    assertThat(after).contains("ERROR", "ENGINE-16004", "java.lang.IllegalStateException: boom", "database gone");
    assertThat(after).doesNotContain("wrapped").contains("Refused: ForbiddenActionException: no");
  }

  // --- helpers -------------------------------------------------------------------------------

  private int requestCount() {
    HttpResponse<String> r = send(get("/api/requests?limit=1000"), "admin:airlock");
    assertThat(r.statusCode()).isEqualTo(200);
    return json(r).size();
  }

  private static Map<String, Object> request(String principal) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("system", "AWS");
    r.put("target", "222222222222");
    r.put("principal", principal);
    r.put("permission", "PowerUserAccess");
    r.put("duration", "PT1H");
    r.put("justification", "Check the web surface");
    r.put("ticket", "SEC-1");
    return r;
  }

  private String base() {
    return "http://127.0.0.1:" + port;
  }

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(base() + path)).GET();
  }

  private HttpRequest.Builder post(String path, String contentType, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return b.POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
  }

  /** Sends with preemptive basic credentials {@code user:password} when given. */
  private HttpResponse<String> send(HttpRequest.Builder request, String credentials) {
    if (credentials != null) {
      request.header("Authorization", "Basic "
          + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    try {
      return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + response.body(), e);
    }
  }
}
