package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.WebappSession;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Tasklist as a requester's browser sees it: the start form comes with the requester's own
 * choices, the plugin "My requests" loads, and its calls of Airlock's API work with the Tasklist
 * session (the write only with Tasklist's CSRF token, never from another site), and not without it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
class TasklistRequestsIntegrationTest {

  static final String ENGINE = "/camunda/api/engine/engine/default";

  @LocalServerPort int port;
  ApiClient api;

  @BeforeEach
  void scanned() {
    api = new ApiClient(port);
    assertThat(api.post("admin", "/api/inventory/scan", null).status()).isEqualTo(200); // account names
  }

  @Test
  void theStartFormOffersTheRequestersOwnChoices() {
    WebappSession alice = new WebappSession(port);
    assertThat(alice.login("alice", "airlock")).isEqualTo(200);
    String definition = WebappSession.json(alice.get(ENGINE + "/process-definition?key=access-request&latestVersion=true"))
        .get(0).get("id").asText();
    HttpResponse<String> form = alice.get(ENGINE + "/process-definition/" + definition + "/deployed-start-form");
    assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
    JsonNode fields = WebappSession.json(form).get("components");
    JsonNode target = field(fields, "target");
    assertThat(target.get("values").findValuesAsText("label")).contains("sandbox (222222222222)",
        "staging (333333333333)");
    // Requesters may ask for read-only in production, nothing on it beyond that; the management
    // account offers them read-only as well (policy, dmn/access-scopes.dmn).
    assertThat(target.get("values").findValuesAsText("value")).contains(DemoOrganization.STAGING_ACCOUNT_ID);
    assertThat(field(fields, "permission").get("valuesExpression").asText())
        .contains("PowerUserAccess · up to 4 h · approved by airlock-approvers")
        .doesNotContain("Production administrator");
    assertThat(field(fields, "duration").get("valuesExpression").asText()).contains("\"PT15M\"", "\"PT4H\"");
    assertThat(field(fields, "principal").get("defaultValue").asText()).isEqualTo("alice");

    // What differs from user to user is alice's alone: another user's form names them.
    WebappSession bob = new WebappSession(port);
    assertThat(bob.login("bob", "airlock")).isEqualTo(200);
    assertThat(field(WebappSession.json(bob.get(ENGINE + "/process-definition/" + definition + "/deployed-start-form"))
        .get("components"), "principal").get("defaultValue").asText()).isEqualTo("bob");
    // Without a session the webapps' engine API answers nothing; the REST API serves the form as deployed.
    assertThat(new WebappSession(port).get(ENGINE + "/process-definition/" + definition + "/deployed-start-form")
        .statusCode()).isEqualTo(401);
    JsonNode deployed = api.get("alice", "/engine-rest/process-definition/" + definition + "/deployed-start-form").body();
    assertThat(field(deployed.get("components"), "target").get("values")).isEmpty();
  }

  @Test
  void myRequestsLoadsAndReadsAndWithdrawsWithTheTasklistSessionOnly() {
    WebappSession alice = new WebappSession(port);
    assertThat(alice.login("alice", "airlock")).isEqualTo(200);
    HttpResponse<String> tasklist = alice.get("/camunda/app/tasklist/default/");
    String page = tasklist.body();
    assertThat(page.substring(page.indexOf("window.PLUGIN_DEPENDENCIES"), page.indexOf("window.PLUGIN_PACKAGES")))
        .contains("airlock-requests");
    HttpResponse<String> script = alice.get("/camunda/api/tasklist/plugin/airlock-requests/static/app/plugin.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.body()).contains("tasklist.navbar.action", "My requests", "/api/requests?mine=true", "X-XSRF-TOKEN");

    String id = api.post("alice", "/api/requests", Map.of("system", "AWS", "target", DemoOrganization.STAGING_ACCOUNT_ID,
        "permission", "PowerUserAccess", "duration", "PT30M", "justification", "Look at the staging queue"))
        .body().get("id").asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> "PENDING_REVIEW".equals(
        api.get("alice", "/api/requests/" + id).body().get("status").asText()));

    // Reads with the Tasklist session.
    HttpResponse<String> mine = alice.get("/api/requests?mine=true");
    assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
    JsonNode request = WebappSession.json(mine).get(0);
    assertThat(request.get("id").asText()).isEqualTo(id);
    assertThat(request.get("approverGroups").asText()).isEqualTo("airlock-approvers");
    HttpResponse<String> catalog = alice.get("/api/catalog");
    assertThat(catalog.statusCode()).isEqualTo(200);
    assertThat(WebappSession.json(catalog).get("targets").findValuesAsText("name")).contains("staging");

    // Not without the session, not from another site, and the session reads nothing else.
    WebappSession stranger = new WebappSession(port);
    assertThat(stranger.get("/api/requests?mine=true").statusCode()).isEqualTo(401);
    assertThat(stranger.get("/api/catalog").statusCode()).isEqualTo(401);
    assertThat(alice.get("/api/requests?mine=true", "Sec-Fetch-Site", "cross-site").statusCode()).isEqualTo(401);
    assertThat(alice.get("/api/requests/" + id).statusCode()).isEqualTo(401);
    assertThat(alice.get("/api/explorer").statusCode()).isEqualTo(401);

    // The one write: without the CSRF token, from another site, or another write: refused, nothing changes.
    String withdraw = "/api/requests/" + id + "/withdraw";
    assertThat(alice.postJsonWithoutXsrfToken(withdraw, Map.of()).statusCode()).isEqualTo(401);
    HttpResponse<String> crossSite = alice.postJson(withdraw, Map.of(), "Origin", "https://evil.example");
    assertThat(crossSite.statusCode()).as(crossSite.body()).isEqualTo(403);
    assertThat(alice.postJson(withdraw, Map.of(), "Sec-Fetch-Site", "cross-site").statusCode()).isEqualTo(403);
    assertThat(alice.postJson("/api/requests/" + id + "/revoke", Map.of()).statusCode()).isEqualTo(401);
    assertThat(alice.postJson("/api/requests", Map.of()).statusCode()).isEqualTo(401);
    assertThat(api.get("alice", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");

    // bob's session may not withdraw alice's request; alice's may.
    WebappSession bob = new WebappSession(port);
    assertThat(bob.login("bob", "airlock")).isEqualTo(200);
    assertThat(bob.postJson(withdraw, Map.of()).statusCode()).isEqualTo(403);
    HttpResponse<String> withdrawn = alice.postJson(withdraw, Map.of("reason", "not needed"));
    assertThat(withdrawn.statusCode()).as(withdrawn.body()).isEqualTo(200);
    assertThat(WebappSession.json(withdrawn).get("status").asText()).isEqualTo("CANCELLED");
  }

  private static JsonNode field(JsonNode components, String key) {
    for (JsonNode c : components) {
      if (key.equals(c.path("key").asText())) {
        return c;
      }
    }
    throw new AssertionError("no field " + key + " in " + List.of(components));
  }
}
