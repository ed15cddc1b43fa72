package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.Browser;
import io.airlock.request.RequestLabels;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.SandboxSso;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;

/**
 * The README's walk-through as people do it, in a real browser (headless Chromium): alice
 * requests access in Tasklist with the start form, bob finds the review by its name and
 * approves it with the review form, the access appears in (sandbox) AWS, and alice finds it in
 * "My active access" with its end time and ends it there: gone from AWS, the request REVOKED.
 * A screenshot of the step that failed lands in target/browser-screenshots/.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TasklistBrowserTest {

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  ApiClient api;
  SsoAdminClient sso;
  String base;

  @BeforeAll
  void setUp() {
    api = new ApiClient(port);
    base = "http://127.0.0.1:" + port;
    sso = SandboxSso.client(sandbox);
    assertThat(api.post("admin", "/api/inventory/scan", null).status()).isEqualTo(200); // account names
  }

  @AfterAll
  void close() {
    sso.close();
  }

  @Test
  void aliceRequestsAccessInTasklistBobApprovesItAndAliceEndsItFromMyActiveAccess() {
    try (Browser alice = new Browser()) {
      try {
        alice.signIn(base, "tasklist", "alice", "airlock");
        alice.click(By.xpath("//a[contains(., 'Start process')]"));
        alice.click(By.xpath("//a[contains(., 'Request AWS access')]"));
        alice.type(By.cssSelector("input[id$='Field_target']"), DemoOrganization.STAGING_ACCOUNT_ID);
        alice.type(By.cssSelector("input[id$='Field_principal']"), "alice");
        alice.type(By.cssSelector("input[id$='Field_permission']"), "PowerUserAccess");
        alice.type(By.cssSelector("input[id$='Field_duration']"), "PT30M");
        alice.type(By.cssSelector("textarea[id$='Field_justification']"), "Rotate the staging certificates, CHG-12");
        alice.screenshot("01-alice-start-form");
        alice.click(By.xpath("//button[normalize-space(.)='Start']"));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("alice", "/api/requests").body().size() == 1);
        alice.screenshot("02-alice-started");
      } catch (RuntimeException | Error e) {
        alice.screenshot("FAILED-alice");
        throw e;
      }
    }
    String id = api.get("alice", "/api/requests").body().get(0).get("id").asText();

    // The shared filters: bob's lists the review, alice's (a requester) does not.
    JsonNode filters = api.get("bob", "/engine-rest/filter?resourceType=Task").body();
    assertThat(filters.findValuesAsText("name")).contains("Reviews waiting for me", "Break-glass reviews",
        "My active access", "Assigned to me", "All tasks");
    String reviews = filters.findParents("name").stream().filter(f -> f.get("name").asText()
        .equals("Reviews waiting for me")).findFirst().orElseThrow().get("id").asText();
    assertThat(api.get("bob", "/engine-rest/filter/" + reviews + "/list").body().findValuesAsText("name"))
        .containsExactly("Review: alice · PowerUserAccess · staging (333333333333) · 30 min");
    assertThat(api.get("alice", "/engine-rest/filter/" + reviews + "/list").body()).isEmpty();
    assertThat(api.get("alice", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");

    try (Browser bob = new Browser()) {
      try {
        bob.signIn(base, "tasklist", "bob", "airlock");
        bob.click(By.xpath("//a[contains(., 'Reviews waiting for me')]"));
        String name = "Review: alice · PowerUserAccess · staging (333333333333) · 30 min";
        bob.click(By.xpath("//a[contains(., '" + name + "')]"));
        bob.visible(By.cssSelector("input[id$='Field_requester']"));
        bob.click(By.xpath("//*[self::button or self::a][normalize-space(.)='Claim']"));
        bob.screenshot("03-bob-review");
        bob.click(By.cssSelector("input[id$='Field_reviewOutcome-0']")); // Approve
        bob.click(By.xpath("//button[normalize-space(.)='Complete']"));
        bob.waitFor(d -> bob.all(By.xpath("//a[contains(., '" + name + "')]")).isEmpty());
        bob.screenshot("04-bob-approved");
      } catch (RuntimeException | Error e) {
        bob.screenshot("FAILED-bob");
        throw e;
      }
    }
    api.awaitStatus(id, "ACTIVE");
    await().atMost(Duration.ofSeconds(20)).until(() -> sandbox.state().hasAssignment(
        DemoOrganization.STAGING_ACCOUNT_ID, DemoOrganization.POWER_USER_PERMISSION_SET_ARN, "USER",
        DemoOrganization.ALICE_USER_ID));
    assertThat(SandboxSso.assignments(sso, DemoOrganization.STAGING_ACCOUNT_ID,
        DemoOrganization.POWER_USER_PERMISSION_SET_ARN)).anyMatch(a -> a.principalId().equals(DemoOrganization.ALICE_USER_ID));

    // alice's "My active access" lists her access with its end time; bob's (not the principal) does not.
    Instant grantEnd = Instant.parse(api.get("alice", "/api/requests/" + id).body().get("grantEnd").asText());
    String ends = RequestLabels.time(grantEnd, Instant.now(), ZoneId.of("UTC")); // airlock.policy.time-zone
    String yourAccess = "Your access: PowerUserAccess · staging (333333333333) · ends " + ends;
    String myAccess = filterId("alice", "My active access");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        api.get("alice", "/engine-rest/filter/" + myAccess + "/list").body().findValuesAsText("name"))
        .containsExactly(yourAccess));
    assertThat(api.get("bob", "/engine-rest/filter/" + myAccess + "/list").body()).isEmpty();

    try (Browser alice = new Browser()) {
      try {
        alice.signIn(base, "tasklist", "alice", "airlock");
        alice.click(By.xpath("//a[contains(., 'My active access')]"));
        alice.click(By.xpath("//a[contains(., '" + yourAccess + "')]"));
        assertThat(alice.visible(By.cssSelector("input[id$='Field_accessEnds']")).getAttribute("value"))
            .isEqualTo(ends);
        assertThat(alice.visible(By.cssSelector("input[id$='Field_accessAccount']")).getAttribute("value"))
            .isEqualTo("staging (333333333333)");
        alice.screenshot("05-alice-my-active-access");
        alice.click(By.cssSelector("input[id$='Field_accessAction-0']")); // End now
        alice.type(By.cssSelector("textarea[id$='Field_accessReason']"), "Certificates rotated");
        alice.click(By.xpath("//button[normalize-space(.)='Complete']"));
        alice.waitFor(d -> alice.all(By.xpath("//a[contains(., '" + yourAccess + "')]")).isEmpty());
        alice.screenshot("06-alice-ended");
      } catch (RuntimeException | Error e) {
        alice.screenshot("FAILED-alice-end-now");
        throw e;
      }
    }
    JsonNode revoked = api.awaitStatus(id, "REVOKED");
    assertThat(revoked.get("revokeRequestedBy").asText()).isEqualTo("alice");
    assertThat(revoked.get("revokeReason").asText()).isEqualTo("Certificates rotated");
    assertThat(SandboxSso.assignments(sso, DemoOrganization.STAGING_ACCOUNT_ID,
        DemoOrganization.POWER_USER_PERMISSION_SET_ARN)).noneMatch(a -> a.principalId().equals(DemoOrganization.ALICE_USER_ID));
  }

  private String filterId(String user, String name) {
    return api.get(user, "/engine-rest/filter?resourceType=Task").body().findParents("name").stream()
        .filter(f -> f.get("name").asText().equals(name)).findFirst().orElseThrow().get("id").asText();
  }
}
