package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

/**
 * What an operator reads (the embedded default, so the AWS sandbox): after one request is
 * granted and revoked at its end, Prometheus shows one grant latency, one revoke lateness of a
 * plausible size, the AWS calls per operation, and the throttle AWS answered once; and in
 * sandbox mode every surface says so (header on every answer, banner in every webapp, the API
 * docs' title).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.request.min-duration=PT2S",
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "airlock.aws.first-poll-delay=PT0.2S",
    "airlock.inventory.scheduled=false",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperationsIntegrationTest {

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;

  ApiClient api;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void client() {
    api = new ApiClient(port);
  }

  @Test
  void oneGrantAndRevokeShowInPrometheus() throws Exception {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("system", "AWS");
    request.put("target", "222222222222");
    request.put("permission", "ReadOnlyAccess");
    request.put("duration", "PT8S");
    request.put("justification", "Look at the metrics");
    Reply submitted = api.post("erin", "/api/requests", request);
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    // AWS will throttle the revoke's first attempt; the SDK retries it.
    sandbox.faults().failNextCalls("DeleteAccountAssignment", 1, "ThrottlingException", 400);
    api.awaitStatus(id, "ACTIVE");
    await().atMost(Duration.ofSeconds(7)).untilAsserted(() -> assertThat(value(scrape(), "airlock_grants_active", "")).isEqualTo(1.0));
    api.awaitStatus(id, "REVOKED");

    String metrics = scrape();
    assertThat(value(metrics, "airlock_grant_latency_seconds_count", "approval=\"policy\"")).isEqualTo(1.0);
    double latency = value(metrics, "airlock_grant_latency_seconds_sum", "approval=\"policy\"");
    assertThat(latency).isGreaterThan(0.0).isLessThan(30.0);

    assertThat(value(metrics, "airlock_revoke_lateness_seconds_count", "trigger=\"expiry\"")).isEqualTo(1.0);
    double lateness = value(metrics, "airlock_revoke_lateness_seconds_sum", "trigger=\"expiry\"");
    assertThat(lateness).as("timer due -> DeleteAccountAssignment sent").isGreaterThanOrEqualTo(0.0).isLessThan(15.0);
    assertThat(metrics).as("a histogram, for percentiles in Prometheus").contains("airlock_revoke_lateness_seconds_bucket{");

    assertThat(value(metrics, "airlock_aws_calls_total", "operation=\"CreateAccountAssignment\"")).isEqualTo(1.0);
    assertThat(value(metrics, "airlock_aws_calls_total", "operation=\"DeleteAccountAssignment\""))
        .as("the throttled attempt and its retry").isEqualTo(2.0);
    assertThat(value(metrics, "airlock_aws_throttles_total", "operation=\"DeleteAccountAssignment\"")).isEqualTo(1.0);
    assertThat(value(metrics, "airlock_aws_calls_total", "operation=\"DescribeAccountAssignmentCreationStatus\""))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(value(metrics, "airlock_incidents_open", "")).isEqualTo(0.0);
    assertThat(value(metrics, "airlock_reviews_pending", "")).isEqualTo(0.0);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(value(scrape(), "airlock_grants_active", "")).isEqualTo(0.0));
  }

  @Test
  void everySurfaceSaysSandbox() throws Exception {
    List<HttpResponse<String>> answers = List.of(
        get("/api/requests", "alice"),
        get("/api/requests", null), // 401
        get("/engine-rest/task", "bob"),
        get("/camunda/app/tasklist/default/", null),
        get("/camunda/api/engine/engine/", null),
        get("/actuator/health/liveness", null),
        get("/v3/api-docs", "alice"));
    for (HttpResponse<String> answer : answers) {
      assertThat(answer.headers().firstValue("X-Airlock-Sandbox")).as(answer.uri().getPath())
          .hasValueSatisfying(v -> assertThat(v).startsWith("true"));
    }
    for (String app : List.of("tasklist", "cockpit", "admin", "welcome")) {
      HttpResponse<String> css = get("/camunda/app/" + app + "/styles/user-styles.css", null);
      assertThat(css.statusCode()).isEqualTo(200);
      assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/css"));
      assertThat(css.body()).as(app).contains("SANDBOX", "AWS is emulated", "body::after");
    }
    // The page really loads that stylesheet.
    assertThat(get("/camunda/app/cockpit/default/", null).body()).contains("app/cockpit/styles/user-styles.css");
    JsonNode docs = api.get("alice", "/v3/api-docs").body();
    assertThat(docs.at("/info/title").asText()).startsWith("SANDBOX: ");
    // Readiness: the emulator answers ListInstances.
    HttpResponse<String> ready = get("/actuator/health/readiness", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}");
  }

  private String scrape() throws Exception {
    HttpResponse<String> r = get("/actuator/prometheus", "dave");
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The value of one sample: the metric's line whose labels contain {@code label}. */
  private static double value(String metrics, String name, String label) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(metrics);
    while (m.find()) {
      if (m.group(1) == null ? label.isEmpty() : m.group(1).contains(label)) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError(name + " with " + label + " not in the scrape");
  }

  private HttpResponse<String> get(String path, String user) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    if (user != null) {
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":airlock").getBytes()));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
