package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.WebappSession;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The Cockpit plugin "Audit & explorer" as a browser sees it: Cockpit lists the plugin, serves
 * its page script, and the page's reads of Airlock's explorer and audit log (and their
 * downloads) work with the Cockpit session for an auditor; a requester gets neither Cockpit nor
 * the data, and the session never carries a write.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.inventory.initial-delay=PT0S"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
class CockpitPluginIntegrationTest {

  @LocalServerPort int port;

  @Test
  void thePageLoadsForAnAuditorWithItsDataAndDownloads() {
    WebappSession carol = new WebappSession(port);
    assertThat(carol.login("carol", "airlock", "cockpit")).isEqualTo(200);

    HttpResponse<String> cockpit = carol.get("/camunda/app/cockpit/default/");
    assertThat(cockpit.statusCode()).isEqualTo(200);
    HttpResponse<String> script = carol.get("/camunda/api/cockpit/plugin/airlock/static/app/plugin.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.body()).contains("cockpit.navigation", "cockpit.route", "Audit & explorer", "/api/explorer",
        "/api/audit");
    // Cockpit's page lists the plugin among those whose scripts it loads.
    String page = cockpit.body();
    assertThat(page.substring(page.indexOf("window.PLUGIN_DEPENDENCIES"), page.indexOf("window.PLUGIN_PACKAGES")))
        .contains("airlock");

    HttpResponse<String> explorer = carol.get("/api/explorer");
    assertThat(explorer.statusCode()).as(explorer.body()).isEqualTo(200);
    assertThat(WebappSession.json(explorer).has("mappings")).isTrue();
    HttpResponse<String> audit = carol.get("/api/audit?limit=5");
    assertThat(audit.statusCode()).as(audit.body()).isEqualTo(200);
    JsonNode events = WebappSession.json(audit).get("events");
    assertThat(events).isNotEmpty();
    HttpResponse<String> csv = carol.get("/api/audit?format=csv&limit=5");
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).contains("attachment"));
    assertThat(carol.get("/api/explorer?format=csv").body()).startsWith("principalType,");
    // Another site's page cannot use the session, even to read.
    assertThat(carol.get("/api/explorer", "Sec-Fetch-Site", "cross-site").statusCode()).isEqualTo(401);
    // The session reads; it never writes.
    assertThat(carol.postJson("/api/inventory/reconcile", java.util.Map.of()).statusCode()).isEqualTo(401);
  }

  @Test
  void aRequesterGetsNeitherCockpitNorTheData() {
    WebappSession alice = new WebappSession(port);
    assertThat(alice.login("alice", "airlock", "cockpit")).isEqualTo(403);
    assertThat(alice.get("/api/explorer").statusCode()).isEqualTo(401);

    // Signed in to Tasklist (where requesters work), the session still reads nothing of the plugin's.
    assertThat(alice.login("alice", "airlock", "tasklist")).isEqualTo(200);
    assertThat(alice.get("/api/explorer").statusCode()).isEqualTo(401);
    assertThat(alice.get("/api/audit").statusCode()).isEqualTo(401);
  }
}
