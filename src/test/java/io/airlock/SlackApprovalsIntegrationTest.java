package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.airlock.audit.AuditEvent;
import io.airlock.audit.AuditLog;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.SandboxSso;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;

/**
 * Approvals in Slack, against a fake of Slack's Web API on 127.0.0.1 (chat.postMessage,
 * chat.update, views.open, users.info, the response_url) and callbacks signed as Slack signs them:
 * the review message in words, an approval from Slack that AWS then holds, a denial with its
 * reason through the modal, the message updated for everyone; forged, replayed, unmapped and
 * self-approving callbacks refused with nothing changed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "airlock.notify.attempts=2",
    "airlock.notify.backoff=PT0.1S",
    "airlock.notify.slack.channel=C0REVIEWS",
    "airlock.notify.slack.bot-token=xoxb-test-only",
    "airlock.notify.slack.signing-secret=" + SlackApprovalsIntegrationTest.SECRET,
    // grace's Slack profile has a private email: the explicit mapping says who she is.
    "airlock.notify.slack.users.UGRACE=grace",
    "airlock.notify.slack.team-id=T0AIRLOCK",
    // Two workers and one waiting: a handful of slow callbacks fill it (aFullPool...).
    "airlock.notify.slack.workers=2",
    "airlock.notify.slack.queue=1",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import({PostgresTestConfiguration.class, SlackApprovalsIntegrationTest.SecondFactorAsKeycloak.class})
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlackApprovalsIntegrationTest {

  static final String SECRET = "e2e-signing-secret-of-the-test-app";

  /**
   * Step-up as with Keycloak when {@link #required}: no callback from Slack carries a sign-in, so
   * the one gate (request.StepUp) finds no second factor, as KeycloakSecondFactor does for them.
   */
  @org.springframework.boot.test.context.TestConfiguration(proxyBeanMethods = false)
  static class SecondFactorAsKeycloak {
    static final java.util.concurrent.atomic.AtomicBoolean required = new java.util.concurrent.atomic.AtomicBoolean();

    @org.springframework.context.annotation.Bean
    @org.springframework.context.annotation.Primary
    io.airlock.request.SecondFactor secondFactorAsKeycloak() {
      return () -> required.get() ? java.util.Optional.of(new io.airlock.request.SecondFactor.Missing(
          "your sign-in says nothing of how you signed in", Duration.ofMinutes(15), List.of(), false))
          : java.util.Optional.empty();
    }
  }
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INTERACTIONS = "/integrations/slack/interactions";

  /** What the fake Slack received: method (chat.postMessage, chat.update, views.open, respond) and JSON body. */
  record Call(String method, JsonNode body, String authorization) {}

  static final List<Call> calls = new CopyOnWriteArrayList<>();
  static final AtomicInteger ts = new AtomicInteger();
  static final Map<String, String> emails = Map.of(
      "UBOB", "bob@example.com",
      "UALICE", "alice@example.com",
      "UGRACE", "grace.at.home@private.example",
      "USTRANGER", "stranger@elsewhere.example",
      // bob's address again, on accounts that must not be bob: Slack has not confirmed it; a guest
      "UUNCONFIRMED", "bob@example.com",
      "UGUEST", "bob@example.com",
      // bob, whose users.info Slack answers slowly (slowMillis)
      "USLOWBOB", "bob@example.com");
  static final java.util.concurrent.atomic.AtomicLong slowMillis = new java.util.concurrent.atomic.AtomicLong();
  static final HttpServer slack = fakeSlack();

  static {
    slack.start();
  }

  @DynamicPropertySource
  static void endpoints(DynamicPropertyRegistry registry) {
    registry.add("airlock.notify.slack.api-url", () -> fake() + "/api");
  }

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired AuditLog audit;
  ApiClient api;
  SsoAdminClient sso;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void client() {
    api = new ApiClient(port);
    sso = SandboxSso.client(sandbox);
    assertThat(api.post("admin", "/api/inventory/scan", null).status()).isEqualTo(200); // account names in messages
  }

  @AfterAll
  void stop() {
    sso.close();
    slack.stop(0);
  }

  @Test
  void theReviewIsPostedInWordsAndAnApprovalFromSlackGrantsAndUpdatesTheMessageForEveryone() throws Exception {
    String id = submit("alice", "PowerUserAccess");
    JsonNode posted = awaitPosted(id);
    assertThat(posted.get("channel").asText()).isEqualTo("C0REVIEWS");
    assertThat(calls).filteredOn(c -> c.method().equals("chat.postMessage"))
        .allMatch(c -> "Bearer xoxb-test-only".equals(c.authorization()));
    String shown = shown(posted);
    assertThat(shown)
        .contains("Review waiting:* alice asks for *PowerUserAccess* in *staging (333333333333)* for *30 min*")
        .contains("Patch the staging fleet, CHG-7")
        .contains("*Policy*\n").contains("review")
        .contains("airlock-approvers")
        .doesNotContain(id);
    assertThat(posted.get("text").asText()).isEqualTo("Review waiting: alice · PowerUserAccess · staging (333333333333) · 30 min");
    assertThat(buttons(posted)).containsExactly("approve", "deny", "tasklist");

    Reply approved = interact(blockAction("UBOB", "approve", id, "r-approve"));
    assertThat(approved.status()).isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");
    assertThat(SandboxSso.holds(sso, DemoOrganization.STAGING_ACCOUNT_ID,
        DemoOrganization.POWER_USER_PERMISSION_SET_ARN, DemoOrganization.ALICE_USER_ID)).isTrue();
    assertThat(api.get("admin", "/api/requests/" + id).body().get("reviewer").asText()).isEqualTo("bob");
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).contains("review.approved", "slack.review");

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(posted);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("Approved by bob in Slack · Active until").doesNotContain(id);
      assertThat(buttons(update)).isEmpty();
    });
    assertThat(responses("r-approve")).as("nothing to tell bob alone").isEmpty();
  }

  @Test
  void aQuorumCountsSlackApprovalsOfDifferentApproversAsAnyOther() throws Exception {
    String id = submit("dave", "AdministratorAccess", DemoOrganization.PRODUCTION_ACCOUNT_ID);
    JsonNode posted = awaitPosted(id);
    assertThat(shown(posted)).contains("(2 approvals from different approvers)");

    assertThat(interact(blockAction("UBOB", "approve", id, "r-quorum-1")).status()).isEqualTo(200);
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(posted);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("bob approved in Slack; it needs 2 approvals from different approvers");
      assertThat(buttons(update)).as("still waiting: the buttons stay").containsExactly("approve", "deny", "tasklist");
    });
    assertThat(interact(blockAction("UBOB", "approve", id, "r-quorum-again")).status()).isEqualTo(200);
    assertThat(awaitResponses("r-quorum-again")).singleElement().satisfies(r -> assertThat(r.get("text").asText())
        .isEqualTo("You approved this request already; it needs 2 approvals from different approvers. "
            + "Nothing was done."));

    assertThat(interact(blockAction("UGRACE", "approve", id, "r-quorum-2")).status()).isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");
    assertThat(SandboxSso.holds(sso, DemoOrganization.PRODUCTION_ACCOUNT_ID,
        DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN, DemoOrganization.DAVE_USER_ID)).isTrue();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(posted);
      assertThat(shown(update)).contains("Approved by grace in Slack · Active until");
      assertThat(buttons(update)).isEmpty();
    });
  }

  @Test
  void aForgedOrReplayedCallbackIs401AndChangesNothing() throws Exception {
    String id = submit("erin", "PowerUserAccess");
    awaitPosted(id);
    String body = form(blockAction("UBOB", "approve", id, "r-forged"));
    long now = Instant.now().getEpochSecond();

    Reply forged = post(body, String.valueOf(now), "v0=" + sign("not-the-secret", now, body));
    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.raw()).isEmpty();
    long old = now - 6 * 60;
    Reply replayed = post(body, String.valueOf(old), "v0=" + sign(SECRET, old, body));
    assertThat(replayed.status()).as("signed correctly, but six minutes ago").isEqualTo(401);
    assertThat(replayed.raw()).isEmpty();
    Reply tampered = post(body.replace("UBOB", "UGRACE"), String.valueOf(now), "v0=" + sign(SECRET, now, body));
    assertThat(tampered.status()).isEqualTo(401);
    assertThat(post(body, null, null).status()).as("no signature at all").isEqualTo(401);
    assertThat(api.get(null, INTERACTIONS).status()).as("only Slack's POST is open").isEqualTo(401);

    Thread.sleep(500);
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).doesNotContain("review.approved");
    assertThat(responses("r-forged")).isEmpty();
  }

  @Test
  void aSignedCallbackFromAnotherWorkspaceChangesNothing() throws Exception {
    String id = submit("erin", "PowerUserAccess");
    awaitPosted(id);
    Map<String, Object> other = new LinkedHashMap<>(blockAction("UBOB", "approve", id, "r-other-team"));
    other.put("user", Map.of("id", "UBOB", "team_id", "T0OTHER"));
    assertThat(interact(other).status()).isEqualTo(200);
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit.forRequest(id))
        .filteredOn(e -> e.action().equals("refused.slack")).singleElement()
        .satisfies(e -> assertThat(e.details()).contains("another Slack workspace")));
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).doesNotContain("review.approved");
  }

  @Test
  void aSlackUserAirlockDoesNotKnowIsRefusedInWordsAndNothingChanges() throws Exception {
    String id = submit("erin", "PowerUserAccess");
    awaitPosted(id);
    assertThat(interact(blockAction("USTRANGER", "approve", id, "r-stranger")).status()).isEqualTo(200);
    assertThat(awaitResponses("r-stranger")).singleElement().satisfies(r -> {
      assertThat(r.get("response_type").asText()).isEqualTo("ephemeral");
      assertThat(r.get("text").asText()).startsWith("Airlock does not know who you are in Slack, so nothing was done.")
          .doesNotContain(id);
    });
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit.forRequest(id))
        .filteredOn(e -> e.action().equals("refused.slack")).singleElement()
        .satisfies(e -> assertThat(e.details()).contains("USTRANGER")));
  }

  @Test
  void theRequesterApprovingTheirOwnRequestFromSlackIsRefusedInWordsAuditedAndNothingChanges() throws Exception {
    String id = submit("bob", "PowerUserAccess"); // bob requests and approves: never his own
    JsonNode posted = awaitPosted(id);
    assertThat(interact(blockAction("UBOB", "approve", id, "r-self")).status()).isEqualTo(200);
    assertThat(awaitResponses("r-self")).singleElement().satisfies(r -> assertThat(r.get("text").asText())
        .isEqualTo("You cannot review your own access request: another approver must. Nothing was done."));
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit.forRequest(id))
        .filteredOn(e -> e.action().equals("refused.review")).singleElement()
        .satisfies(e -> assertThat(e.actor()).isEqualTo("bob")));
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).doesNotContain("review.approved", "slack.review");
    assertThat(lastUpdate(posted)).as("the message still waits").isNull();
  }

  @Test
  void whereApprovingNeedsARecentSecondFactorSlackCannotShowItTheApprovalIsRefusedAndPointsToTasklist()
      throws Exception {
    String id = submit("erin", "PowerUserAccess");
    JsonNode posted = awaitPosted(id);
    SecondFactorAsKeycloak.required.set(true);
    try {
      assertThat(interact(blockAction("UBOB", "approve", id, "r-stepup")).status()).isEqualTo(200);
      awaitResponses("r-stepup"); // the worker decides after Slack's answer
    } finally {
      SecondFactorAsKeycloak.required.set(false);
    }
    assertThat(awaitResponses("r-stepup")).singleElement().satisfies(r -> assertThat(r.get("text").asText())
        .startsWith("Approving needs a recent sign-in with your second factor, which Slack cannot show. Nothing was "
            + "approved: approve it in Tasklist (").contains("/camunda/app/tasklist/").doesNotContain(id));
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit.forRequest(id))
        .filteredOn(e -> e.action().equals("refused.review")).singleElement()
        .satisfies(e -> assertThat(e.details()).contains("\"stepUp\":true")));
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).doesNotContain("review.approved");
    assertThat(lastUpdate(posted)).as("the message still waits, with its buttons").isNull();
  }

  @Test
  void denyAsksForTheReasonInAModalAndTheRequestIsDeniedWithIt() throws Exception {
    String id = submit("erin", "PowerUserAccess");
    JsonNode posted = awaitPosted(id);
    assertThat(interact(blockAction("UGRACE", "deny", id, "r-deny")).status()).isEqualTo(200);
    JsonNode opened = awaitCall("views.open", "trigger-r-deny");
    JsonNode view = opened.get("view");
    assertThat(view.get("type").asText()).isEqualTo("modal");
    assertThat(shown(view)).contains("erin · PowerUserAccess · staging (333333333333) · 30 min")
        .contains("erin reads this").doesNotContain(id);
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText())
        .as("nothing is decided by opening the modal").isEqualTo("PENDING_REVIEW");

    Reply submitted = interact(viewSubmission("UGRACE", view.get("private_metadata").asText(),
        "Use the read-only role for this"));
    assertThat(submitted.status()).isEqualTo(200);
    assertThat(submitted.raw()).as("the modal closes").isEmpty();
    JsonNode denied = api.awaitStatus(id, "DENIED");
    assertThat(denied.get("reviewer").asText()).isEqualTo("grace");
    assertThat(denied.get("reviewComment").asText()).isEqualTo("Use the read-only role for this");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(posted);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("Denied by grace in Slack: Use the read-only role for this");
      assertThat(buttons(update)).isEmpty();
    });
  }

  @Test
  void aRequestWithdrawnOrDecidedElsewhereUpdatesTheMessage() throws Exception {
    String withdrawn = submit("alice", "ReadOnlyAccess", DemoOrganization.PRODUCTION_ACCOUNT_ID);
    JsonNode first = awaitPosted(withdrawn);
    assertThat(api.post("alice", "/api/requests/" + withdrawn + "/withdraw", Map.of("reason", "not needed after all"))
        .status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(first);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("Withdrawn by alice: not needed after all");
      assertThat(buttons(update)).isEmpty();
    });

    String elsewhere = submit("erin", "PowerUserAccess");
    JsonNode second = awaitPosted(elsewhere);
    assertThat(api.post("grace", "/api/requests/" + elsewhere + "/review", Map.of("outcome", "DENY",
        "comment", "not this week")).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(second);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("Denied by grace in Airlock (Tasklist, the portal or the API): not this week");
    });
    // Slack's buttons on a request decided elsewhere: told so, nothing changes.
    assertThat(interact(blockAction("UBOB", "approve", elsewhere, "r-late")).status()).isEqualTo(200);
    assertThat(awaitResponses("r-late")).singleElement().satisfies(r -> assertThat(r.get("text").asText())
        .startsWith("This request no longer waits for review"));
    assertThat(api.get("admin", "/api/requests/" + elsewhere).body().get("status").asText()).isEqualTo("DENIED");
  }

  @Test
  void aReviewNobodyGaveInTimeUpdatesTheMessage() {
    String id = submit("erin", "PowerUserAccess");
    JsonNode posted = awaitPosted(id);
    String instance = api.get("admin", "/engine-rest/process-instance?businessKey=" + id).body().get(0).get("id")
        .asText();
    JsonNode timer = api.get("admin", "/engine-rest/job?timers=true&activityId=Event_ReviewOverdue&processInstanceId="
        + instance).body().get(0);
    // The day passes: an admin fires the timer now.
    assertThat(api.post("admin", "/engine-rest/job/" + timer.get("id").asText() + "/execute", null).status())
        .isEqualTo(204);
    api.awaitStatus(id, "EXPIRED");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(posted);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("Expired without a review: nobody reviewed it in time");
      assertThat(buttons(update)).isEmpty();
    });
  }

  @Test
  void aRequesterAsksFromSlackWithTheirCatalogAndTheRequestGoesThroughPolicyAndReview() throws Exception {
    Reply opened = command("UALICE", "cmd-alice");
    assertThat(opened.status()).isEqualTo(200);
    assertThat(opened.raw()).as("the dialog opens; no message").isEmpty();
    JsonNode view = awaitCall("views.open", "trigger-cmd-alice").get("view");
    assertThat(view.get("callback_id").asText()).isEqualTo("airlock-request");
    List<String> offered = new ArrayList<>();
    view.get("blocks").get(0).path("element").path("options").forEach(o -> offered.add(o.path("text").path("text")
        .asText()));
    assertThat(offered).anyMatch(o -> o.startsWith("staging · PowerUserAccess (up to "));
    String justification = "Rotate the staging keys, asked from Slack " + System.nanoTime();

    Reply reversed = interact(requestSubmission("UALICE", DemoOrganization.STAGING_ACCOUNT_ID + "|PowerUserAccess",
        "PT30M", "Rotate keys \u202Eevil\u202C from Slack"));
    assertThat(JSON.readTree(reversed.raw()).path("errors").path("justification").asText()).as(reversed.raw())
        .as("a bidi override typed in Slack's dialog meets the same rule as the API's").isNotBlank();

    Reply blank = interact(requestSubmission("UALICE", DemoOrganization.STAGING_ACCOUNT_ID + "|PowerUserAccess",
        "PT30M", "   "));
    assertThat(blank.status()).isEqualTo(200);
    JsonNode refused = JSON.readTree(blank.raw());
    assertThat(refused.get("response_action").asText()).isEqualTo("errors");
    assertThat(refused.get("errors").path("justification").asText()).as(blank.raw())
        .startsWith("The justification is required");
    assertThat(api.get("alice", "/api/requests?mine=true").body().toString()).doesNotContain("   \"");

    Reply filed = interact(requestSubmission("UALICE", DemoOrganization.STAGING_ACCOUNT_ID + "|PowerUserAccess",
        "PT30M", justification));
    assertThat(filed.status()).isEqualTo(200);
    JsonNode answer = JSON.readTree(filed.raw());
    assertThat(answer.get("response_action").asText()).isEqualTo("update");
    assertThat(shown(answer.get("view"))).contains("PowerUserAccess in staging (333333333333) for 30 min")
        .contains("It waits for review by airlock-approvers");
    JsonNode mine = api.get("alice", "/api/requests?mine=true").body();
    JsonNode request = null;
    for (JsonNode r : mine) {
      if (justification.equals(r.path("justification").asText())) {
        request = r;
      }
    }
    assertThat(request).as("alice's request, filed from Slack").isNotNull();
    assertThat(request.get("requester").asText()).isEqualTo("alice");
    assertThat(request.get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(shown(awaitPosted(request.get("id").asText()))).contains(justification);

    Reply stranger = command("USTRANGER", "cmd-stranger");
    assertThat(stranger.status()).isEqualTo(200);
    assertThat(awaitResponses("cmd-stranger").get(0).get("text").asText())
        .startsWith("Airlock does not know who you are in Slack, so nothing was done.");
  }

  @Test
  void slackHasItsAnswerAtOnceWhileTheWorkFollowsAsTheOneWhoClickedAndAFullPoolSaysItIsBusy() throws Exception {
    String id = submit("erin", "PowerUserAccess");
    awaitPosted(id);
    String other = submit("erin", "PowerUserAccess");
    awaitPosted(other);
    slowMillis.set(4000); // Slack's users.info (or the engine) takes longer than Slack's three seconds
    try {
      long started = System.nanoTime();
      assertThat(interact(blockAction("USLOWBOB", "approve", id, "r-slow")).status()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered before the work is done")
          .isLessThan(Duration.ofMillis(1500));
      assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
      // Two at work (r-slow and r-slow-2), one waiting; the next is not taken and its clicker reads so.
      assertThat(interact(blockAction("USLOWBOB", "approve", other, "r-slow-2")).status()).isEqualTo(200);
      assertThat(interact(blockAction("USLOWBOB", "approve", other, "r-slow-3")).status()).isEqualTo(200);
      assertThat(interact(blockAction("USLOWBOB", "approve", other, "r-busy")).status()).isEqualTo(200);
      assertThat(awaitResponses("r-busy")).singleElement().satisfies(r -> assertThat(r.get("text").asText())
          .startsWith("Airlock is busy just now, so nothing was done. Try again in a minute"));
    } finally {
      slowMillis.set(0);
    }
    JsonNode approved = api.awaitStatus(id, "ACTIVE");
    assertThat(approved.get("reviewer").asText()).as("the worker acts as bob, mapped from Slack").isEqualTo("bob");
    assertThat(audit.forRequest(id)).filteredOn(e -> e.action().equals("slack.review")).singleElement()
        .satisfies(e -> assertThat(e.actor()).isEqualTo("bob"));
    // Of the two clicks on `other`, one approves it and the other is told it no longer waits: the pool is free again.
    await().atMost(Duration.ofSeconds(20)).until(() -> responses("r-slow-2").size() + responses("r-slow-3").size() == 1);
    assertThat(responses("r-slow")).as("nothing to tell bob alone").isEmpty();
  }

  @Test
  void oversizedSlowReplayedAndMalformedCallbacksAreRefusedAndChangeNothing() throws Exception {
    long now = Instant.now().getEpochSecond();
    String big = "payload=" + "x".repeat(300 * 1024);
    HttpResponse<String> announced = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + INTERACTIONS)).header("X-Slack-Request-Timestamp", String.valueOf(now))
        .header("X-Slack-Signature", "v0=" + sign(SECRET, now, big))
        .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(announced.statusCode()).as("a length over 256 KiB, refused before reading").isEqualTo(413);
    HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + INTERACTIONS)).header("X-Slack-Request-Timestamp", String.valueOf(now))
        .header("X-Slack-Signature", "v0=" + sign(SECRET, now, big))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
            big.getBytes(StandardCharsets.UTF_8)))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).as("chunks without a length, cut at 256 KiB").isEqualTo(413);

    // A body dribbled a byte a second holds a thread no longer than five seconds.
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      var out = socket.getOutputStream();
      out.write(("POST " + INTERACTIONS + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
          + "\r\nContent-Length: 100\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = null;
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      for (int i = 0; i < 15 && status == null; i++) {
        out.write('x');
        out.flush();
        Thread.sleep(1000);
        if (socket.getInputStream().available() > 0) {
          status = in.readLine();
        }
      }
      assertThat(status).as("refused while still dribbling").startsWith("HTTP/1.1 408");
    }

    // The same signed bytes twice inside the five minutes: the second is a replay.
    String id = submit("dave", "AdministratorAccess", DemoOrganization.PRODUCTION_ACCOUNT_ID); // two approvals
    awaitPosted(id);
    String body = form(blockAction("UBOB", "approve", id, "r-replayed"));
    String signature = "v0=" + sign(SECRET, now, body);
    assertThat(post(body, String.valueOf(now), signature).status()).isEqualTo(200);
    assertThat(post(body, String.valueOf(now), signature).status()).as("replayed within the window").isEqualTo(401);
    await().atMost(Duration.ofSeconds(10)).until(() -> audit.forRequest(id).stream()
        .anyMatch(e -> e.action().equals("review.approved")));
    assertThat(audit.forRequest(id)).filteredOn(e -> e.action().equals("slack.review")).hasSize(1);

    // Signed, but not the shapes Slack sends: 400, or nobody.
    assertThat(post("payload=not-json", now).status()).isEqualTo(400);
    assertThat(post("payload=" + URLEncoder.encode("[{\"type\":\"block_actions\"}]", StandardCharsets.UTF_8), now)
        .status()).isEqualTo(400);
    assertThat(post("payload=%zz", now).status()).isEqualTo(400);
    Map<String, Object> lower = new LinkedHashMap<>(blockAction("UBOB", "approve", id, "r-lower"));
    lower.put("user", Map.of("id", "ugrace", "team_id", "T0AIRLOCK")); // Slack ids are upper case: nobody, not UGRACE
    assertThat(interact(lower).status()).isEqualTo(200);
    assertThat(awaitResponses("r-lower").get(0).get("text").asText()).startsWith("Airlock does not know who you are");
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
  }

  @Test
  void aButtonNamingAnotherRequestAnUnconfirmedEmailOrAGuestChangeNothing() throws Exception {
    String a = submit("erin", "PowerUserAccess");
    awaitPosted(a);
    String b = submit("erin", "PowerUserAccess");
    awaitPosted(b);
    // The message about a, with its button's value edited to b.
    assertThat(interact(blockAction("UBOB", "approve", b, "r-edited", a)).status()).isEqualTo(200);
    assertThat(awaitResponses("r-edited").get(0).get("text").asText())
        .isEqualTo("This button is not on Airlock's review message of this request, so nothing was done.");
    // bob's address in the profile of accounts that are not bob's: unconfirmed, a guest.
    assertThat(interact(blockAction("UUNCONFIRMED", "approve", a, "r-unconfirmed")).status()).isEqualTo(200);
    assertThat(interact(blockAction("UGUEST", "approve", a, "r-guest")).status()).isEqualTo(200);
    assertThat(awaitResponses("r-unconfirmed").get(0).get("text").asText())
        .startsWith("Airlock does not know who you are in Slack");
    assertThat(awaitResponses("r-guest").get(0).get("text").asText())
        .startsWith("Airlock does not know who you are in Slack");
    for (String id : List.of(a, b)) {
      assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
      assertThat(audit.forRequest(id)).extracting(AuditEvent::action).doesNotContain("review.approved");
    }
    assertThat(audit.forRequest(b)).filteredOn(e -> e.action().equals("refused.review")).singleElement()
        .satisfies(e -> assertThat(e.details()).contains("not on Airlock's review message"));
  }

  @Test
  void aRequestDialogThatTakesLongerThanSlackWaitsSaysItIsBeingFiledAndThenShowsWhatBecameOfIt() throws Exception {
    String justification = "Check the staging queue, asked slowly " + System.nanoTime();
    slowMillis.set(4000);
    Reply answered;
    try {
      long started = System.nanoTime();
      answered = interact(requestSubmission("USLOWBOB", DemoOrganization.STAGING_ACCOUNT_ID + "|PowerUserAccess",
          "PT30M", justification));
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("within Slack's three seconds")
          .isLessThan(Duration.ofMillis(2900));
    } finally {
      slowMillis.set(0);
    }
    assertThat(answered.status()).isEqualTo(200);
    JsonNode answer = JSON.readTree(answered.raw());
    assertThat(answer.get("response_action").asText()).isEqualTo("update");
    assertThat(shown(answer.get("view"))).contains("Airlock is filing your request");
    JsonNode[] updated = new JsonNode[1];
    await().atMost(Duration.ofSeconds(20)).until(() -> (updated[0] = calls.stream().filter(c -> c.method()
        .equals("views.update") && c.body().path("view_id").asText().equals("V0USLOWBOB")).map(Call::body)
        .findFirst().orElse(null)) != null);
    assertThat(shown(updated[0].get("view"))).contains("PowerUserAccess in staging (333333333333) for 30 min")
        .contains("It waits for review by airlock-approvers");
    assertThat(api.get("bob", "/api/requests?mine=true").body().toString()).as("filed as bob").contains(justification);
  }

  @Test
  void airlockAnswersOnlyAtSlacksAddressesNotWhereverAPayloadPoints() throws Exception {
    AtomicInteger hits = new AtomicInteger();
    HttpServer trap = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    trap.createContext("/", exchange -> {
      hits.incrementAndGet();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    trap.start();
    try {
      String id = submit("erin", "PowerUserAccess");
      awaitPosted(id);
      Map<String, Object> click = new LinkedHashMap<>(blockAction("USTRANGER", "approve", id, "r-trap"));
      click.put("response_url", "http://127.0.0.1:" + trap.getAddress().getPort() + "/latest/meta-data/");
      assertThat(interact(click).status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> audit.forRequest(id).stream()
          .anyMatch(e -> e.action().equals("refused.slack")));
      Thread.sleep(500);
      assertThat(hits.get()).as("nothing posted to an address that is not Slack's").isZero();
    } finally {
      trap.stop(0);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** The slash command /airlock, signed as Slack signs it. */
  private Reply command(String slackUser, String responseId) throws Exception {
    String body = "command=" + URLEncoder.encode("/airlock", StandardCharsets.UTF_8) + "&text=&user_id=" + slackUser
        + "&user_name=" + slackUser.toLowerCase() + "&team_id=T0AIRLOCK&channel_id=D0DIRECT&trigger_id=trigger-"
        + responseId + "&response_url=" + URLEncoder.encode(fake() + "/respond/" + responseId, StandardCharsets.UTF_8);
    long now = Instant.now().getEpochSecond();
    return post(body, String.valueOf(now), "v0=" + sign(SECRET, now, body));
  }

  private Map<String, Object> requestSubmission(String slackUser, String what, String duration, String justification) {
    return Map.of("type", "view_submission",
        "user", Map.of("id", slackUser, "team_id", "T0AIRLOCK"),
        "view", Map.of("type", "modal", "callback_id", "airlock-request", "id", "V0" + slackUser,
            "state", Map.of("values", Map.of(
                "what", Map.of("what", Map.of("type", "static_select", "selected_option", Map.of("value", what))),
                "duration", Map.of("duration", Map.of("type", "static_select", "selected_option",
                    Map.of("value", duration))),
                "justification", Map.of("justification", Map.of("type", "plain_text_input", "value", justification)),
                "ticket", Map.of("ticket", Map.of("type", "plain_text_input"))))));
  }

  private String submit(String user, String permission) {
    return submit(user, permission, DemoOrganization.STAGING_ACCOUNT_ID);
  }

  private String submit(String user, String permission, String account) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("system", "AWS");
    r.put("target", account);
    r.put("principal", user);
    r.put("permission", permission);
    r.put("duration", "PT30M");
    r.put("justification", "Patch the staging fleet, CHG-7");
    Reply reply = api.post(user, "/api/requests", r);
    assertThat(reply.status()).as(reply.raw()).isEqualTo(201);
    assertThat(reply.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    return reply.body().get("id").asText();
  }

  /** The review message posted for the request (its buttons carry the id; nobody reads it). */
  private JsonNode awaitPosted(String id) {
    JsonNode[] found = new JsonNode[1];
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      found[0] = calls.stream().filter(c -> c.method().equals("chat.postMessage") && c.body().toString()
          .contains("\"value\":\"" + id + "\"")).map(Call::body).findFirst().orElse(null);
      assertThat(found[0]).as("chat.postMessage for " + id).isNotNull();
    });
    return found[0];
  }

  /** The last chat.update of the message that {@code posted} became (by its ts), or null. */
  private JsonNode lastUpdate(JsonNode posted) {
    String messageTs = tsOf(posted);
    return calls.stream().filter(c -> c.method().equals("chat.update") && c.body().path("ts").asText().equals(messageTs))
        .map(Call::body).reduce((a, b) -> b).orElse(null);
  }

  private static final Map<String, String> tsByBody = new java.util.concurrent.ConcurrentHashMap<>();

  private static String tsOf(JsonNode posted) {
    return tsByBody.get(posted.toString());
  }

  /** The answers told through the response_url (the work follows Slack's answer): waits for the first. */
  private List<JsonNode> awaitResponses(String responseId) {
    await().atMost(Duration.ofSeconds(20)).until(() -> !responses(responseId).isEmpty());
    return responses(responseId);
  }

  private JsonNode awaitCall(String method, String triggerId) {
    JsonNode[] found = new JsonNode[1];
    await().atMost(Duration.ofSeconds(20)).until(() -> (found[0] = calls.stream().filter(c -> c.method().equals(method)
        && c.body().path("trigger_id").asText().equals(triggerId)).map(Call::body).findFirst().orElse(null)) != null);
    return found[0];
  }

  private List<JsonNode> responses(String responseId) {
    return calls.stream().filter(c -> c.method().equals("respond/" + responseId)).map(Call::body).toList();
  }

  /** Every text a person sees in the blocks (texts, not values or ids of elements). */
  private static String shown(JsonNode node) {
    StringBuilder out = new StringBuilder();
    collect(node, out);
    return out.toString();
  }

  private static void collect(JsonNode node, StringBuilder out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(f -> {
        if (f.getKey().equals("text") && f.getValue().isTextual()) {
          out.append(f.getValue().asText()).append('\n');
        } else if (!f.getKey().equals("value") && !f.getKey().equals("private_metadata")) {
          collect(f.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, out));
    }
  }

  private static List<String> buttons(JsonNode message) {
    List<String> ids = new ArrayList<>();
    JsonNode blocks = message.has("blocks") ? message.get("blocks") : message;
    blocks.forEach(b -> {
      if (b.path("type").asText().equals("actions")) {
        b.path("elements").forEach(e -> ids.add(e.path("action_id").asText()));
      }
    });
    return ids;
  }

  private Map<String, Object> blockAction(String slackUser, String action, String requestId, String responseId) {
    return blockAction(slackUser, action, requestId, responseId, requestId);
  }

  /** A click on a button whose value is {@code requestId}, on the review message of {@code messageOf}. */
  private Map<String, Object> blockAction(String slackUser, String action, String requestId, String responseId,
      String messageOf) {
    String messageTs = calls.stream().filter(c -> c.method().equals("chat.postMessage") && c.body().toString()
        .contains("\"value\":\"" + messageOf + "\"")).map(c -> tsOf(c.body())).findFirst().orElse("0");
    return Map.of("type", "block_actions",
        "user", Map.of("id", slackUser, "username", slackUser.toLowerCase(), "team_id", "T0AIRLOCK"),
        "trigger_id", "trigger-" + responseId,
        "response_url", fake() + "/respond/" + responseId,
        "container", Map.of("type", "message", "channel_id", "C0REVIEWS", "message_ts", messageTs),
        "actions", List.of(Map.of("type", "button", "action_id", action, "block_id", "review", "value", requestId)));
  }

  private Map<String, Object> viewSubmission(String slackUser, String privateMetadata, String reason) {
    return Map.of("type", "view_submission",
        "user", Map.of("id", slackUser, "team_id", "T0AIRLOCK"),
        "view", Map.of("type", "modal", "callback_id", "airlock-deny", "private_metadata", privateMetadata,
            "state", Map.of("values", Map.of("reason", Map.of("reason", Map.of("type", "plain_text_input",
                "value", reason))))));
  }

  /** Posts the payload signed as Slack signs it, now. */
  private Reply interact(Map<String, Object> payload) throws Exception {
    String body = form(payload);
    long now = Instant.now().getEpochSecond();
    return post(body, String.valueOf(now), "v0=" + sign(SECRET, now, body));
  }

  /** Posts {@code body} signed with the right secret at {@code now}. */
  private Reply post(String body, long now) throws Exception {
    return post(body, String.valueOf(now), "v0=" + sign(SECRET, now, body));
  }

  private Reply post(String body, String timestamp, String signature) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + INTERACTIONS))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (timestamp != null) {
      request.header("X-Slack-Request-Timestamp", timestamp).header("X-Slack-Signature", signature);
    }
    HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), null, r.body());
  }

  private static String form(Map<String, Object> payload) throws IOException {
    return "payload=" + URLEncoder.encode(JSON.writeValueAsString(payload), StandardCharsets.UTF_8);
  }

  private static String sign(String secret, long timestamp, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
  }

  private static String fake() {
    return "http://127.0.0.1:" + slack.getAddress().getPort();
  }

  /** Slack's Web API as far as Airlock uses it, recording every call. */
  private static HttpServer fakeSlack() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool()); // a slow users.info holds up no other call
      server.createContext("/api/", exchange -> {
        String method = exchange.getRequestURI().getPath().substring("/api/".length());
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (!"Bearer xoxb-test-only".equals(auth)) {
          answer(exchange, Map.of("ok", false, "error", "not_authed"));
          return;
        }
        switch (method) {
          case "users.info" -> {
            String user = exchange.getRequestURI().getQuery().replaceFirst("^.*user=", "");
            String email = emails.get(user);
            if (user.startsWith("USLOW")) {
              try {
                Thread.sleep(slowMillis.get());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            answer(exchange, email == null ? Map.of("ok", false, "error", "user_not_found")
                : Map.of("ok", true, "user", Map.of("id", user, "team_id", "T0AIRLOCK",
                    "is_email_confirmed", !user.equals("UUNCONFIRMED"), "is_restricted", user.equals("UGUEST"),
                    "profile", Map.of("email", email))));
          }
          case "chat.postMessage" -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String messageTs = "1765000000." + String.format("%06d", ts.incrementAndGet());
            tsByBody.put(body.toString(), messageTs);
            calls.add(new Call(method, body, auth));
            answer(exchange, Map.of("ok", true, "channel", body.get("channel").asText(), "ts", messageTs));
          }
          case "chat.update", "views.open", "views.update" -> {
            calls.add(new Call(method, JSON.readTree(exchange.getRequestBody()), auth));
            answer(exchange, Map.of("ok", true));
          }
          default -> answer(exchange, Map.of("ok", false, "error", "unknown_method"));
        }
      });
      server.createContext("/respond/", exchange -> {
        String id = exchange.getRequestURI().getPath().substring("/respond/".length());
        calls.add(new Call("respond/" + id, JSON.readTree(exchange.getRequestBody()), null));
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
      });
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void answer(HttpExchange exchange, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
