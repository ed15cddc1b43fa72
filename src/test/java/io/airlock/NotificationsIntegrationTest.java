package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.airlock.audit.AuditEvent;
import io.airlock.audit.AuditLog;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * People are told: approvers when a review waits, the requester and principal when access
 * starts and ends or a request is denied, the security group on break-glass; by email (a real
 * SMTP server, GreenMail) and a chat webhook (a real HTTP server). When both are down, grants and
 * revokes go on and the failure is reported.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "airlock.notify.mail.enabled=true",
    "airlock.notify.mail.from=airlock@airlock.example",
    "airlock.notify.attempts=2",
    "airlock.notify.backoff=PT0.1S",
    "airlock.notify.ending-soon=PT40M",
    "airlock.notify.ending-soon-check=PT1S",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotificationsIntegrationTest {

  static final GreenMail smtp = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
  static final HttpServer chat = webhook();
  static final List<String> posted = new CopyOnWriteArrayList<>();
  static final AtomicInteger chatStatus = new AtomicInteger(200);

  static {
    smtp.start();
    chat.start();
  }

  @DynamicPropertySource
  static void endpoints(DynamicPropertyRegistry registry) {
    registry.add("spring.mail.host", () -> "127.0.0.1");
    registry.add("spring.mail.port", () -> smtp.getSmtp().getPort());
    registry.add("airlock.notify.webhook.url", () -> "http://127.0.0.1:" + chat.getAddress().getPort() + "/hook");
  }

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired AuditLog audit;
  @Autowired MeterRegistry meters;
  ApiClient api;

  @BeforeAll
  void client() {
    api = new ApiClient(port);
    assertThat(api.post("admin", "/api/inventory/scan", null).status()).isEqualTo(200); // account names in messages
  }

  @AfterAll
  void stop() {
    smtp.stop();
    chat.stop(0);
  }

  @Test
  @Order(1)
  void approversHearOfAWaitingReviewAndTheRequesterOfTheGrant() throws Exception {
    String id = submit("alice", "PowerUserAccess", DemoOrganization.STAGING_ACCOUNT_ID);
    String subject = "[Airlock] Review waiting: alice · PowerUserAccess · staging (333333333333) · 30 min";
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(recipientsOf(subject))
        .containsExactlyInAnyOrder("bob@example.com", "dave@example.com", "grace@example.com"));
    MimeMessage waiting = mails(subject).get(0);
    assertThat(waiting.getFrom()[0].toString()).isEqualTo("airlock@airlock.example");
    assertThat(text(waiting)).contains("Justification: Patch the staging fleet, CHG-7")
        .contains("Review it in Tasklist:").contains("/camunda/app/tasklist/");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(posted).anyMatch(p ->
        p.contains("Review waiting: alice · PowerUserAccess · staging (333333333333) · 30 min")));

    assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE", "comment", "go ahead"))
        .status()).isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(mailsStartingWith(
        "[Airlock] Access granted until ")).hasSize(1));
    MimeMessage granted = mailsStartingWith("[Airlock] Access granted until ").get(0);
    assertThat(granted.getRecipients(Message.RecipientType.TO)[0].toString()).isEqualTo("alice@example.com");
    assertThat(text(granted)).contains("Comment from bob: go ahead").contains(id);
    // 30 minutes of access, "ending soon" set to 40 here: alice hears at once, and once.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(mailsStartingWith(
        "[Airlock] Access ends at ")).singleElement().satisfies(m -> assertThat(text(m))
            .contains("/api/requests/" + id + "/extend")));
    await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)) // two more checks pass: still one
        .until(() -> mailsStartingWith("[Airlock] Access ends at ").size() == 1);

    assertThat(api.post("alice", "/api/requests/" + id + "/revoke", Map.of("reason", "done")).status()).isEqualTo(200);
    api.awaitStatus(id, "REVOKED");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(mailsStartingWith("[Airlock] Access ended"))
        .singleElement().satisfies(m -> assertThat(text(m)).contains("Reason: done")));
  }

  @Test
  @Order(2)
  void thePolicyAuthorsHearOnceThatAStarterPolicyWaitsAfterTheFirstScan() {
    // The scan before the tests was the organization's first; a second one tells nobody again.
    assertThat(api.post("admin", "/api/inventory/scan", null).status()).isEqualTo(200);
    String subject = "[Airlock] A starter policy for your AWS organization is ready";
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(recipientsOf(subject))
        .containsExactly("pat@example.com"));
    MimeMessage ready = mails(subject).get(0);
    assertThat(text(ready)).contains("accounts and").contains("What to do now:").contains("/policy");
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> mails(subject).size() == 1);
    assertThat(posted).filteredOn(p -> p.contains("A starter policy for your AWS organization is ready")).hasSize(1);
  }

  @Test
  @Order(2)
  void aDenialReachesTheRequesterWithTheComment() {
    String id = submit("erin", "PowerUserAccess", DemoOrganization.STAGING_ACCOUNT_ID);
    assertThat(api.post("grace", "/api/requests/" + id + "/review", Map.of("outcome", "DENY",
        "comment", "use the read-only role")).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(mailsStartingWith("[Airlock] Denied: erin"))
        .singleElement().satisfies(m -> {
          assertThat(m.getRecipients(Message.RecipientType.TO)[0].toString()).isEqualTo("erin@example.com");
          assertThat(text(m)).contains("denied by grace").contains("Comment from grace: use the read-only role");
        }));
  }

  @Test
  @Order(3)
  void breakGlassAlertsTheSecurityGroup() {
    Map<String, Object> body = request("bob", "PowerUserAccess", DemoOrganization.PRODUCTION_ACCOUNT_ID);
    body.put("breakGlass", true);
    Reply submitted = api.post("bob", "/api/requests", body);
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    api.awaitStatus(id, "ACTIVE");
    // The security group (airlock-security: admin and dave in the demo), one mail each.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(mailsStartingWith(
        "[Airlock] Break-glass access granted: bob")).extracting(NotificationsIntegrationTest::to)
            .containsExactlyInAnyOrder("admin@example.com", "dave@example.com"));
    assertThat(api.post("bob", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(id, "REVOKED");
  }

  @Test
  @Order(5)
  void aPolicyProposalReachesThePolicyApproversAndTheSecurityGroupAndItsDecisionItsAuthor() throws Exception {
    String dmn = java.nio.file.Files.readString(java.nio.file.Path.of("dmn/auto-approval.dmn"))
        .replace("Auto-approval", "Auto-approval (proposed)");
    Reply deployed = api.postFile("pat", "/engine-rest/deployment/create", Map.of("deployment-name", "changed",
        "deployment-source", "Camunda Modeler"), "auto-approval.dmn", dmn);
    assertThat(deployed.status()).as(deployed.raw()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(mailsStartingWith("[Airlock] Policy proposal "))
        .filteredOn(m -> subject(m).endsWith(" by pat waits for review")).extracting(m -> m.getRecipients(
            Message.RecipientType.TO)[0].toString()).containsExactlyInAnyOrder("quinn@example.com", "admin@example.com",
            "dave@example.com"));
    MimeMessage waiting = mailsStartingWith("[Airlock] Policy proposal ").get(0);
    assertThat(text(waiting)).contains("Nothing of it is in force until a member of airlock-policy-approvers other "
        + "than pat approves it").contains("Replayed against the last").contains("/camunda/app/tasklist/");
    String id = subject(waiting).replaceAll("^\\[Airlock] Policy proposal (\\d+) .*$", "$1");
    Reply rejected = api.post("quinn", "/api/policies/proposals/" + id + "/review", Map.of("decision", "REJECT",
        "comment", "Name it in the pull request first"));
    assertThat(rejected.status()).as(rejected.raw()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(mailsStartingWith(
        "[Airlock] Policy proposal " + id + " by pat rejected by quinn")).extracting(m -> m.getRecipients(
            Message.RecipientType.TO)[0].toString()).containsExactlyInAnyOrder("pat@example.com", "admin@example.com",
            "dave@example.com"));
  }

  private static String subject(MimeMessage m) {
    try {
      return m.getSubject();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Order(10)
  void whenMailAndChatAreDownAccessIsStillGrantedAndRevokedAndTheFailureIsReported() {
    smtp.stop();
    chatStatus.set(503);
    double failedBefore = failed();

    String id = submit("dave", "PowerUserAccess", DemoOrganization.STAGING_ACCOUNT_ID);
    assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status())
        .isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");
    assertThat(sandbox.state().hasAssignment(DemoOrganization.STAGING_ACCOUNT_ID,
        DemoOrganization.POWER_USER_PERMISSION_SET_ARN, "USER", DemoOrganization.DAVE_USER_ID)).isTrue();
    assertThat(api.post("dave", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(id, "REVOKED");
    assertThat(sandbox.state().hasAssignment(DemoOrganization.STAGING_ACCOUNT_ID,
        DemoOrganization.POWER_USER_PERMISSION_SET_ARN, "USER", DemoOrganization.DAVE_USER_ID)).isFalse();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(audit.forRequest(id))
        .filteredOn(e -> e.action().equals("notification.failed")).extracting(AuditEvent::details)
        .anyMatch(d -> d.contains("\"channel\":\"mail\"") && d.contains("access.granted"))
        .anyMatch(d -> d.contains("\"channel\":\"webhook\"") && d.contains("HTTP 503")));
    assertThat(failed()).isGreaterThan(failedBefore);
  }

  private double failed() {
    return meters.find("airlock.notifications").tag("outcome", "failed").counters().stream()
        .mapToDouble(c -> c.count()).sum();
  }

  private String submit(String user, String permission, String account) {
    Reply r = api.post(user, "/api/requests", request(user, permission, account));
    assertThat(r.status()).as(r.raw()).isEqualTo(201);
    assertThat(r.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    return r.body().get("id").asText();
  }

  private static Map<String, Object> request(String principal, String permission, String account) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("system", "AWS");
    r.put("target", account);
    r.put("principal", principal);
    r.put("permission", permission);
    r.put("duration", "PT30M");
    r.put("justification", "Patch the staging fleet, CHG-7");
    return r;
  }

  private static List<MimeMessage> mails(String subject) {
    return Arrays.stream(smtp.getReceivedMessages()).filter(m -> subjectOf(m).equals(subject)).toList();
  }

  private static List<MimeMessage> mailsStartingWith(String prefix) {
    return Arrays.stream(smtp.getReceivedMessages()).filter(m -> subjectOf(m).startsWith(prefix)).toList();
  }

  private static List<String> recipientsOf(String subject) {
    return mails(subject).stream().map(m -> {
      try {
        return m.getRecipients(Message.RecipientType.TO)[0].toString();
      } catch (jakarta.mail.MessagingException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  private static String to(MimeMessage m) {
    try {
      return m.getRecipients(Message.RecipientType.TO)[0].toString();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String subjectOf(MimeMessage m) {
    try {
      return m.getSubject();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String text(MimeMessage m) {
    try {
      return String.valueOf(m.getContent());
    } catch (jakarta.mail.MessagingException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpServer webhook() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/hook", exchange -> {
        posted.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        exchange.sendResponseHeaders(chatStatus.get(), -1);
        exchange.close();
      });
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
