package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
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
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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
 * Approvals in Microsoft Teams, against a fake of the Microsoft identity platform's token endpoint,
 * the Bot Framework's OpenID metadata and keys, and the Bot Connector API on 127.0.0.1, with
 * activities carrying tokens the test signs as the Bot Framework does: the review card in words,
 * an approval from Teams that AWS then holds, a denial with its reason, the card updated for
 * everyone; forged, mis-addressed, expired, replayed, unmapped and self-approving activities
 * refused with nothing changed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "airlock.notify.attempts=2",
    "airlock.notify.backoff=PT0.1S",
    "airlock.notify.teams.app-id=" + TeamsApprovalsIntegrationTest.APP_ID,
    "airlock.notify.teams.app-password=" + TeamsApprovalsIntegrationTest.APP_PASSWORD,
    "airlock.notify.teams.conversation-id=" + TeamsApprovalsIntegrationTest.CONVERSATION,
    "airlock.notify.teams.tenant-id=" + TeamsApprovalsIntegrationTest.TENANT,
    // grace's Teams account has no email Airlock knows: the explicit mapping says who she is.
    "airlock.notify.teams.users." + TeamsApprovalsIntegrationTest.GRACE_AAD + "=grace",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import({PostgresTestConfiguration.class, TeamsApprovalsIntegrationTest.SecondFactorAsKeycloak.class})
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TeamsApprovalsIntegrationTest {

  static final String APP_ID = "6f1c2d3e-1111-4222-8333-944455566677";
  static final String APP_PASSWORD = "teams-client-secret-of-the-test-bot";
  static final String CONVERSATION = "19:airlock-reviews@thread.tacv2";
  static final String TENANT = "0c0ffee0-0000-4000-8000-00000000aaaa";
  static final String GRACE_AAD = "9a9a9a9a-0000-4000-8000-000000000007";
  static final String BOT_TOKEN = "bot-token-from-the-fake-identity-platform";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MESSAGES = "/integrations/teams/messages";

  /** Step-up as with Keycloak when {@link #required}: no activity from Teams carries a sign-in. */
  @org.springframework.boot.test.context.TestConfiguration(proxyBeanMethods = false)
  static class SecondFactorAsKeycloak {
    static final AtomicBoolean required = new AtomicBoolean();

    @org.springframework.context.annotation.Bean
    @org.springframework.context.annotation.Primary
    io.airlock.request.SecondFactor secondFactorAsKeycloak() {
      return () -> required.get() ? java.util.Optional.of(new io.airlock.request.SecondFactor.Missing(
          "your sign-in says nothing of how you signed in", Duration.ofMinutes(15), List.of(), false))
          : java.util.Optional.empty();
    }
  }

  /** What the fake Bot Connector received: post, update (PUT) or reply, the activity id, the body. */
  record Call(String kind, String conversation, String activityId, JsonNode body, String authorization) {}

  /** A Teams member: id, Entra object id, email (as the Bot Connector answers a member lookup). */
  record Member(String id, String aad, String email) {}

  static final Member BOB = new Member("29:1bob", "b0b0b0b0-0000-4000-8000-000000000002", "bob@example.com");
  static final Member GRACE = new Member("29:1grace", GRACE_AAD, "grace.at.home@private.example");
  static final Member STRANGER = new Member("29:1stranger", "57a57a57-0000-4000-8000-000000000009",
      "stranger@elsewhere.example");

  static final List<Call> calls = new CopyOnWriteArrayList<>();
  static final List<String> tokenRequests = new CopyOnWriteArrayList<>();
  static final AtomicInteger ids = new AtomicInteger();
  static final RSAKey key = rsaKey("bf-signing-key");
  static final HttpServer fake = fakeMicrosoft();

  static {
    fake.start();
  }

  @DynamicPropertySource
  static void endpoints(DynamicPropertyRegistry registry) {
    registry.add("airlock.notify.teams.service-url", TeamsApprovalsIntegrationTest::serviceUrl);
    registry.add("airlock.notify.teams.token-url", () -> base() + "/oauth2/v2.0/token");
    registry.add("airlock.notify.teams.open-id-metadata-url", () -> base() + "/v1/.well-known/openidconfiguration");
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
    assertThat(api.post("admin", "/api/inventory/scan", null).status()).isEqualTo(200); // account names in cards
  }

  @AfterAll
  void stop() {
    sso.close();
    fake.stop(0);
  }

  @Test
  void theReviewIsPostedInWordsAndAnApprovalFromTeamsGrantsAndUpdatesTheCardForEveryone() throws Exception {
    String id = submit("alice", "PowerUserAccess");
    Call posted = awaitPosted(id);
    assertThat(posted.conversation()).isEqualTo(CONVERSATION);
    assertThat(posted.authorization()).isEqualTo("Bearer " + BOT_TOKEN);
    assertThat(tokenRequests).isNotEmpty().allSatisfy(t -> assertThat(t).contains("grant_type=client_credentials")
        .contains("client_id=" + APP_ID).contains("scope=https%3A%2F%2Fapi.botframework.com%2F.default"));
    JsonNode card = card(posted.body());
    assertThat(shown(card))
        .contains("Review waiting: alice asks for PowerUserAccess in staging (333333333333) for 30 min")
        .contains("Justification: Patch the staging fleet, CHG-7")
        .contains("Policy: ")
        .contains("Approvers: airlock-approvers")
        .doesNotContain(id);
    assertThat(posted.body().get("summary").asText())
        .isEqualTo("Review waiting: alice · PowerUserAccess · staging (333333333333) · 30 min");
    assertThat(actions(card)).containsExactly("Approve", "Deny…", "Open Tasklist");
    assertThat(card.get("actions").get(1).get("card").get("body").get(0).get("isRequired").asBoolean())
        .as("Deny asks why, and the reason is required").isTrue();

    Map<String, Object> approval = activity(BOB, Map.of("airlock", "approve", "request", id), posted.activityId());
    assertThat(send(approval, token(c -> { })).status()).isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");
    assertThat(SandboxSso.holds(sso, DemoOrganization.STAGING_ACCOUNT_ID,
        DemoOrganization.POWER_USER_PERMISSION_SET_ARN, DemoOrganization.ALICE_USER_ID)).isTrue();
    assertThat(api.get("admin", "/api/requests/" + id).body().get("reviewer").asText()).isEqualTo("bob");
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).contains("review.approved", "teams.review");

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(posted);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("Approved by bob in Teams · Active until").doesNotContain(id);
      assertThat(actions(update)).isEmpty();
    });
    assertThat(replies(posted)).as("nothing to tell bob").isEmpty();

    // The same activity again, with a token still valid: a replay, refused as unverified.
    Reply replayed = send(approval, token(c -> { }));
    assertThat(replayed.status()).isEqualTo(401);
    assertThat(replayed.raw()).isEmpty();
    assertThat(audit.forRequest(id)).filteredOn(e -> e.action().equals("teams.review")).hasSize(1);
  }

  @Test
  void aQuorumCountsTeamsApprovalsOfDifferentApproversAsAnyOther() throws Exception {
    String id = submit("dave", "AdministratorAccess", DemoOrganization.PRODUCTION_ACCOUNT_ID);
    Call posted = awaitPosted(id);
    assertThat(shown(card(posted.body()))).contains("(2 approvals from different approvers)");

    Map<String, Object> approve = Map.of("airlock", "approve", "request", id);
    assertThat(send(activity(BOB, approve, posted.activityId()), token(c -> { })).status()).isEqualTo(200);
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(posted);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("bob approved in Teams; it needs 2 approvals from different approvers");
      assertThat(actions(update)).as("still waiting: the buttons stay").containsExactly("Approve", "Deny…",
          "Open Tasklist");
    });
    assertThat(send(activity(BOB, approve, posted.activityId()), token(c -> { })).status()).isEqualTo(200);
    assertThat(replies(posted)).singleElement().satisfies(r -> assertThat(r.get("text").asText())
        .isEqualTo("You approved this request already; it needs 2 approvals from different approvers. "
            + "Nothing was done."));

    assertThat(send(activity(GRACE, approve, posted.activityId()), token(c -> { })).status()).isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");
    assertThat(SandboxSso.holds(sso, DemoOrganization.PRODUCTION_ACCOUNT_ID,
        DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN, DemoOrganization.DAVE_USER_ID)).isTrue();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(posted);
      assertThat(shown(update)).contains("Approved by grace in Teams · Active until");
      assertThat(actions(update)).isEmpty();
    });
  }

  @Test
  void anActivityWithoutTheBotFrameworksValidTokenIs401AndChangesNothing() throws Exception {
    String id = submit("erin", "PowerUserAccess");
    Call posted = awaitPosted(id);
    Map<String, Object> value = Map.of("airlock", "approve", "request", id);

    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("forged signature", token(rsaKey("bf-signing-key"), c -> { }));
    refused.put("another bot's", token(c -> c.audience("another-bot-app-id")));
    refused.put("another issuer's", token(c -> c.issuer("https://login.microsoftonline.com/" + TENANT + "/v2.0")));
    refused.put("expired", token(c -> c.expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(10))))));
    refused.put("for another service URL", token(c -> c.claim("serviceurl", "https://smba.trafficmanager.net/emea/")));
    refused.put("none", null);
    for (Map.Entry<String, String> t : refused.entrySet()) {
      Reply reply = send(activity(BOB, value, posted.activityId()), t.getValue());
      assertThat(reply.status()).as(t.getKey()).isEqualTo(401);
      assertThat(reply.raw()).as(t.getKey()).isEmpty();
    }
    assertThat(api.get(null, MESSAGES).status()).as("only the Bot Framework's POST is open").isEqualTo(401);

    Thread.sleep(500);
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).doesNotContain("review.approved", "teams.review");
    assertThat(replies(posted)).isEmpty();
    assertThat(lastUpdate(posted)).isNull();
  }

  @Test
  void aTeamsUserAirlockDoesNotKnowIsRefusedInWordsAndNothingChanges() throws Exception {
    String id = submit("erin", "PowerUserAccess");
    Call posted = awaitPosted(id);
    assertThat(send(activity(STRANGER, Map.of("airlock", "approve", "request", id), posted.activityId()),
        token(c -> { })).status()).isEqualTo(200);
    assertThat(replies(posted)).singleElement().satisfies(r -> assertThat(r.get("text").asText())
        .startsWith("Airlock does not know who you are in Teams, so nothing was done.").doesNotContain(id));
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit.forRequest(id))
        .filteredOn(e -> e.action().equals("refused.teams")).singleElement()
        .satisfies(e -> assertThat(e.details()).contains(STRANGER.aad())));
  }

  @Test
  void aVerifiedActivityFromAnotherTenantOrConversationChangesNothing() throws Exception {
    String id = submit("erin", "PowerUserAccess");
    Call posted = awaitPosted(id);
    Map<String, Object> otherTenant = activity(BOB, Map.of("airlock", "approve", "request", id), posted.activityId());
    otherTenant.put("channelData", Map.of("tenant", Map.of("id", "11111111-0000-4000-8000-0000000000ff")));
    otherTenant.put("conversation", Map.of("id", CONVERSATION, "tenantId", "11111111-0000-4000-8000-0000000000ff"));
    assertThat(send(otherTenant, token(c -> { })).status()).isEqualTo(200);
    Map<String, Object> otherConversation = activity(BOB, Map.of("airlock", "approve", "request", id),
        posted.activityId());
    otherConversation.put("conversation", Map.of("id", "19:somewhere-else@thread.tacv2;messageid=1", "tenantId",
        TENANT));
    assertThat(send(otherConversation, token(c -> { })).status()).isEqualTo(200);

    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit.forRequest(id))
        .filteredOn(e -> e.action().equals("refused.teams")).extracting(AuditEvent::details)
        .anySatisfy(d -> assertThat(d).contains("another Microsoft Entra tenant"))
        .anySatisfy(d -> assertThat(d).contains("another Teams conversation")));
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).doesNotContain("review.approved", "teams.review");
    assertThat(calls).filteredOn(c -> c.kind().equals("reply")).extracting(c -> c.body().get("text").asText())
        .contains("This Microsoft tenant is not Airlock's, so nothing was done.",
            "Airlock takes reviews only in its reviewers' conversation, so nothing was done.");
  }

  @Test
  void theRequesterApprovingTheirOwnRequestFromTeamsIsRefusedInWordsAuditedAndNothingChanges() throws Exception {
    String id = submit("bob", "PowerUserAccess"); // bob requests and approves: never his own
    Call posted = awaitPosted(id);
    assertThat(send(activity(BOB, Map.of("airlock", "approve", "request", id), posted.activityId()),
        token(c -> { })).status()).isEqualTo(200);
    assertThat(replies(posted)).singleElement().satisfies(r -> assertThat(r.get("text").asText())
        .isEqualTo("You cannot review your own access request: another approver must. Nothing was done."));
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit.forRequest(id))
        .filteredOn(e -> e.action().equals("refused.review")).singleElement()
        .satisfies(e -> assertThat(e.actor()).isEqualTo("bob")));
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).doesNotContain("review.approved", "teams.review");
    assertThat(lastUpdate(posted)).as("the card still waits").isNull();
  }

  @Test
  void whereApprovingNeedsARecentSecondFactorTeamsCannotShowItTheApprovalIsRefusedAndPointsToTasklist()
      throws Exception {
    String id = submit("erin", "PowerUserAccess");
    Call posted = awaitPosted(id);
    SecondFactorAsKeycloak.required.set(true);
    try {
      assertThat(send(activity(BOB, Map.of("airlock", "approve", "request", id), posted.activityId()),
          token(c -> { })).status()).isEqualTo(200);
    } finally {
      SecondFactorAsKeycloak.required.set(false);
    }
    assertThat(replies(posted)).singleElement().satisfies(r -> assertThat(r.get("text").asText())
        .startsWith("Approving needs a recent sign-in with your second factor, which Teams cannot show. Nothing was "
            + "approved: approve it in Tasklist (").contains("/camunda/app/tasklist/"));
    assertThat(api.get("admin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).doesNotContain("review.approved");
  }

  @Test
  void denyWithAReasonDeniesTheRequestWithItAndUpdatesTheCard() throws Exception {
    String id = submit("erin", "PowerUserAccess");
    Call posted = awaitPosted(id);
    assertThat(send(activity(GRACE, Map.of("airlock", "deny", "request", id, "reason",
        "Use the read-only role for this"), posted.activityId()), token(c -> { })).status()).isEqualTo(200);
    JsonNode denied = api.awaitStatus(id, "DENIED");
    assertThat(denied.get("reviewer").asText()).isEqualTo("grace");
    assertThat(denied.get("reviewComment").asText()).isEqualTo("Use the read-only role for this");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(posted);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("Denied by grace in Teams: Use the read-only role for this");
      assertThat(actions(update)).isEmpty();
    });
  }

  @Test
  void aRequestWithdrawnOrDecidedElsewhereUpdatesTheCard() throws Exception {
    String withdrawn = submit("alice", "ReadOnlyAccess", DemoOrganization.PRODUCTION_ACCOUNT_ID);
    Call first = awaitPosted(withdrawn);
    assertThat(api.post("alice", "/api/requests/" + withdrawn + "/withdraw", Map.of("reason", "not needed after all"))
        .status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(first);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("Withdrawn by alice: not needed after all");
      assertThat(actions(update)).isEmpty();
    });

    String elsewhere = submit("erin", "PowerUserAccess");
    Call second = awaitPosted(elsewhere);
    assertThat(api.post("grace", "/api/requests/" + elsewhere + "/review", Map.of("outcome", "DENY",
        "comment", "not this week")).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode update = lastUpdate(second);
      assertThat(update).isNotNull();
      assertThat(shown(update)).contains("Denied by grace in Airlock (Tasklist, the portal or the API): not this week");
    });
    // A card's button pressed late: told so, nothing changes.
    assertThat(send(activity(BOB, Map.of("airlock", "approve", "request", elsewhere), second.activityId()),
        token(c -> { })).status()).isEqualTo(200);
    assertThat(replies(second)).singleElement().satisfies(r -> assertThat(r.get("text").asText())
        .startsWith("This request no longer waits for review"));
    assertThat(api.get("admin", "/api/requests/" + elsewhere).body().get("status").asText()).isEqualTo("DENIED");
  }

  // ---- helpers ---------------------------------------------------------------------------

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

  /** The card posted for the request (its actions carry the id; nobody reads it). */
  private Call awaitPosted(String id) {
    Call[] found = new Call[1];
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      found[0] = calls.stream().filter(c -> c.kind().equals("post") && c.body().toString()
          .contains("\"request\":\"" + id + "\"")).findFirst().orElse(null);
      assertThat(found[0]).as("card posted for " + id).isNotNull();
    });
    return found[0];
  }

  /** The card of the last update (PUT) of the posted activity, or null. */
  private JsonNode lastUpdate(Call posted) {
    return calls.stream().filter(c -> c.kind().equals("update") && c.activityId().equals(posted.activityId()))
        .map(c -> card(c.body())).reduce((a, b) -> b).orElse(null);
  }

  private List<JsonNode> replies(Call posted) {
    return calls.stream().filter(c -> c.kind().equals("reply") && c.activityId().equals(posted.activityId()))
        .map(Call::body).toList();
  }

  private static JsonNode card(JsonNode activity) {
    JsonNode attachment = activity.get("attachments").get(0);
    assertThat(attachment.get("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
    return attachment.get("content");
  }

  /** What a person reads in the card's body: each block's text runs joined, one block a line. */
  private static String shown(JsonNode card) {
    StringBuilder out = new StringBuilder();
    card.get("body").forEach(block -> {
      block.path("inlines").forEach(run -> out.append(run.path("text").asText()));
      out.append(block.path("text").asText("")).append('\n');
    });
    return out.toString();
  }

  private static List<String> actions(JsonNode card) {
    List<String> titles = new ArrayList<>();
    card.path("actions").forEach(a -> titles.add(a.path("title").asText()));
    return titles;
  }

  /** A card's Action.Submit as Teams delivers it: a message activity whose value is the action's data and inputs. */
  private static Map<String, Object> activity(Member from, Map<String, Object> value, String cardActivityId) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("type", "message");
    a.put("id", "1765" + String.format("%09d", ids.incrementAndGet()));
    a.put("timestamp", Instant.now().toString());
    a.put("serviceUrl", serviceUrl());
    a.put("channelId", "msteams");
    a.put("from", Map.of("id", from.id(), "name", "Someone Pretending", "aadObjectId", from.aad()));
    a.put("conversation", Map.of("id", CONVERSATION + ";messageid=" + cardActivityId, "conversationType", "channel",
        "tenantId", TENANT, "isGroup", true));
    a.put("recipient", Map.of("id", "28:" + APP_ID, "name", "Airlock"));
    a.put("replyToId", cardActivityId);
    a.put("value", value);
    a.put("channelData", Map.of("tenant", Map.of("id", TENANT)));
    return a;
  }

  private Reply send(Map<String, Object> activity, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + MESSAGES))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(activity)));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), null, r.body());
  }

  /** A token as the Bot Framework signs it for this bot and the fake's service URL, changed by {@code change}. */
  private static String token(Consumer<JWTClaimsSet.Builder> change) throws Exception {
    return token(key, change);
  }

  private static String token(RSAKey signer, Consumer<JWTClaimsSet.Builder> change) throws Exception {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer("https://api.botframework.com")
        .audience(APP_ID)
        .notBeforeTime(Date.from(now.minusSeconds(60)))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(60))))
        .claim("serviceurl", serviceUrl());
    change.accept(claims);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID())
        .type(JOSEObjectType.JWT).build(), claims.build());
    jwt.sign(new RSASSASigner(signer));
    return jwt.serialize();
  }

  private static RSAKey rsaKey(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base() {
    return "http://127.0.0.1:" + fake.getAddress().getPort();
  }

  private static String serviceUrl() {
    return base() + "/teams/";
  }

  /** The Microsoft side as far as Airlock uses it: token endpoint, OpenID metadata and keys, Bot Connector. */
  private static HttpServer fakeMicrosoft() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/oauth2/v2.0/token", exchange -> {
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        tokenRequests.add(form.replace(APP_PASSWORD, "***"));
        boolean ok = form.contains("client_id=" + APP_ID) && form.contains("client_secret=" + APP_PASSWORD);
        if (!ok) {
          answer(exchange, 401, Map.of("error", "invalid_client"));
          return;
        }
        answer(exchange, 200, Map.of("token_type", "Bearer", "expires_in", 3599, "access_token", BOT_TOKEN));
      });
      server.createContext("/v1/.well-known/openidconfiguration", exchange -> answer(exchange, 200, Map.of(
          "issuer", "https://api.botframework.com", "jwks_uri", base() + "/v1/.well-known/keys",
          "id_token_signing_alg_values_supported", List.of("RS256"))));
      server.createContext("/v1/.well-known/keys", exchange -> answer(exchange, 200,
          JSON.readTree(new JWKSet(key.toPublicJWK()).toString())));
      server.createContext("/teams/v3/conversations/", exchange -> {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (!("Bearer " + BOT_TOKEN).equals(auth)) {
          answer(exchange, 401, Map.of("error", Map.of("code", "Unauthorized")));
          return;
        }
        String[] path = exchange.getRequestURI().getRawPath().substring("/teams/v3/conversations/".length()).split("/");
        String conversation = URLDecoder.decode(path[0], StandardCharsets.UTF_8);
        String method = exchange.getRequestMethod();
        if (path.length == 3 && path[1].equals("members") && method.equals("GET")) {
          String user = URLDecoder.decode(path[2], StandardCharsets.UTF_8);
          Member m = List.of(BOB, GRACE, STRANGER).stream().filter(x -> x.id().equals(user)).findFirst().orElse(null);
          if (m == null) {
            answer(exchange, 404, Map.of("error", Map.of("code", "MemberNotFoundInConversation")));
          } else {
            answer(exchange, 200, Map.of("id", m.id(), "name", "Someone", "aadObjectId", m.aad(), "email", m.email(),
                "userPrincipalName", m.email(), "tenantId", TENANT));
          }
          return;
        }
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        if (path.length == 2 && path[1].equals("activities") && method.equals("POST")) {
          String activityId = "1765" + String.format("%09d", 500_000_000 + ids.incrementAndGet());
          calls.add(new Call("post", conversation, activityId, body, auth));
          answer(exchange, 201, Map.of("id", activityId));
        } else if (path.length == 3 && path[1].equals("activities")) {
          String activityId = URLDecoder.decode(path[2], StandardCharsets.UTF_8);
          calls.add(new Call(method.equals("PUT") ? "update" : "reply", conversation, activityId, body, auth));
          answer(exchange, 200, Map.of("id", method.equals("PUT") ? activityId : "reply-" + ids.incrementAndGet()));
        } else {
          answer(exchange, 404, Map.of("error", Map.of("code", "NotFound")));
        }
      });
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void answer(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
