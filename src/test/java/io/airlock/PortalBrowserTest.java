package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.Browser;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.SandboxSso;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;

/**
 * Airlock's own pages as people use them, in a real browser: alice signs in at the front door,
 * asks for access and sees what policy will do before she submits (approved at once for
 * read-only, one review for power user), a blank justification is refused at the field, the
 * submitted request says it waits for review and by whom; bob finds it in "Waiting for me" with a
 * link into Tasklist; once approved alice's "My access" offers "Open in AWS" and a CLI profile,
 * and "End now" removes the assignment from (sandbox) AWS. Every page is checked for browser
 * console errors and for serious accessibility violations (axe-core); a failing step leaves a
 * screenshot in target/browser-screenshots/.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
// Its own context, closed after it: a context left in the cache while other tests close theirs
// loses the Camunda webapps' static runtime delegates, and Tasklist answers 500.
@org.springframework.test.annotation.DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalBrowserTest {

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
  void aliceAsksWithAPreviewBobSeesItWaitingAndAliceEndsHerAccessFromMyAccess() {
    String id;
    try (Browser alice = new Browser()) {
      try {
        // The front door: Airlock's sign-in page, then the start page.
        alice.open(base + "/");
        alice.visible(By.cssSelector("input#password"));
        checkPage(alice, "sign-in");
        alice.type(By.id("username"), "alice");
        alice.type(By.id("password"), "airlock");
        alice.click(By.xpath("//button[normalize-space(.)='Sign in']"));
        alice.visible(By.xpath("//h1[contains(., 'Hello, alice')]"));
        checkPage(alice, "home");

        alice.click(By.xpath("//nav//a[normalize-space(.)='New request']"));
        select(alice, "target", "staging (333333333333) · Workloads/NonProd");
        select(alice, "permission", "ReadOnlyAccess");
        select(alice, "duration", "30 min");
        alice.waitFor(d -> preview(alice).contains("Approved at once"));
        select(alice, "permission", "PowerUserAccess");
        alice.waitFor(d -> preview(alice).contains("Needs 1 review by airlock-approvers"));
        select(alice, "duration", "30 min");
        alice.waitFor(d -> preview(alice).contains("Needs 1 review by airlock-approvers"));
        assertThat(new Select(alice.visible(By.id("duration"))).getOptions()).extracting(e -> e.getText())
            .contains("15 min", "1 h", "4 h (the longest)").doesNotContain("8 h");
        alice.screenshot("portal-01-alice-preview");
        checkPage(alice, "new-request");

        // A blank justification: refused at the field, nothing filed.
        alice.script("document.getElementById('justification').removeAttribute('required');");
        alice.click(By.xpath("//button[normalize-space(.)='Submit request']"));
        assertThat(alice.visible(By.cssSelector(".field-error #justification ~ .error")).getText()).isNotBlank();
        assertThat(api.get("alice", "/api/requests?mine=true").body()).isEmpty();
        assertThat(alice.pageText()).doesNotContain("ENGINE-", "Exception");

        alice.type(By.id("justification"), "Rotate the staging certificates, CHG-12");
        alice.click(By.xpath("//button[normalize-space(.)='Submit request']"));
        alice.visible(By.xpath("//*[@id='outcome']//strong[contains(., 'Waiting for review')]"));
        assertThat(alice.visible(By.id("outcome")).getText()).contains("Submitted.", "by airlock-approvers");
        assertThat(alice.pageText()).contains("PowerUserAccess in staging (333333333333)", "30 min")
            .doesNotContain("PT30M", "started");
        alice.screenshot("portal-02-alice-submitted");
        checkPage(alice, "request");
        id = alice.driver().getCurrentUrl().replaceAll(".*/requests/", "");

        // Ask again with the same values, then withdraw the copy: each action is confirmed first.
        alice.click(By.xpath("//button[normalize-space(.)='Ask again with the same values']"));
        alice.waitFor(d -> !d.getCurrentUrl().endsWith(id));
        String copy = alice.driver().getCurrentUrl().replaceAll(".*/requests/", "");
        alice.visible(By.xpath("//*[@id='outcome']//strong[contains(., 'Waiting for review')]"));
        alice.click(By.xpath("//summary[contains(., 'Withdraw this request')]"));
        alice.type(By.id("withdraw-reason"), "Filed twice");
        alice.click(By.xpath("//button[normalize-space(.)='Withdraw the request']"));
        alice.visible(By.xpath("//*[@id='outcome']//strong[normalize-space(.)='Withdrawn.']"));
        assertThat(api.get("alice", "/api/requests/" + copy).body().get("status").asText()).isEqualTo("CANCELLED");
        assertThat(api.get("alice", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
        checkPage(alice, "withdrawn");
      } catch (RuntimeException | Error e) {
        alice.screenshot("FAILED-portal-alice");
        throw e;
      }
    }

    try (Browser bob = new Browser()) {
      try {
        signIn(bob, base + "/reviews", "bob"); // the page asked for, after Airlock's sign-in
        String row = bob.visible(By.xpath("//table//tr[contains(., 'alice')]")).getText();
        assertThat(row).contains("PowerUserAccess in staging (333333333333) · 30 min", "Rotate the staging certificates");
        String task = bob.visible(By.xpath("//a[normalize-space(.)='Review in Tasklist']")).getAttribute("href");
        assertThat(task).contains("/camunda/app/tasklist/default/#/?task=");
        checkPage(bob, "reviews");
        // One sign-in: Tasklist opens signed in.
        bob.open(task);
        bob.visible(By.xpath("//a[contains(., 'Review: alice · PowerUserAccess · staging (333333333333) · 30 min')]"));
        assertThat(bob.all(By.cssSelector("input[type='password']"))).isEmpty();
      } catch (RuntimeException | Error e) {
        bob.screenshot("FAILED-portal-bob");
        throw e;
      }
    }
    assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status()).isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");

    try (Browser alice = new Browser()) {
      try {
        signIn(alice, base + "/access", "alice"); // the page asked for, after Airlock's sign-in
        String card = alice.visible(By.xpath("//div[@class='card'][.//h2[contains(., 'PowerUserAccess in staging')]]")).getText();
        assertThat(card).contains("Active until", "left");
        assertThat(alice.visible(By.xpath("//a[normalize-space(.)='Open in AWS']")).getAttribute("href"))
            .isEqualTo("https://d-9067000001.awsapps.com/start/#/console?account_id=333333333333&role_name=PowerUserAccess");
        checkPage(alice, "access");
        alice.click(By.xpath("//a[contains(., 'End now or ask for more time')]"));
        // More time: only what policy can allow (the scope's 4 h counted from the first grant), each with its new end.
        alice.click(By.xpath("//summary[contains(., 'Ask for more time')]"));
        java.util.List<String> choices = new Select(alice.visible(By.id("extend-by"))).getOptions().stream()
            .map(e -> e.getText()).toList();
        assertThat(choices).first().asString().startsWith("15 min · until");
        assertThat(choices).last().asString().contains("the most policy allows");
        assertThat(choices).noneMatch(c -> c.startsWith("4 h"));
        // Ending earlier at a set time offers only times before the current end.
        alice.click(By.xpath("//summary[contains(., 'End it earlier')]"));
        assertThat(new Select(alice.visible(By.id("rework-duration"))).getOptions()).extracting(e -> e.getText())
            .containsExactly("15 min from now");
        alice.type(By.id("extend-why"), "The rotation needs a second window");
        alice.click(By.xpath("//button[normalize-space(.)='Ask for more time']"));
        alice.visible(By.xpath("//*[@id='outcome']//strong[contains(., 'Waiting for review')]"));
        assertThat(alice.pageText()).contains("Extend live access from").doesNotContain("PT");
        checkPage(alice, "extension");
        alice.click(By.xpath("//summary[contains(., 'Withdraw this request')]"));
        alice.click(By.xpath("//button[normalize-space(.)='Withdraw the request']"));
        alice.visible(By.xpath("//*[@id='outcome']//strong[normalize-space(.)='Withdrawn.']"));
        alice.click(By.xpath("//a[normalize-space(.)='the access it extends']"));
        alice.click(By.xpath("//summary[contains(., 'End the access now')]"));
        alice.type(By.id("end-reason"), "Certificates rotated");
        alice.click(By.xpath("//button[normalize-space(.)='End the access now']"));
        alice.waitFor(d -> alice.visible(By.id("outcome")).getText().startsWith("Ended"));
        assertThat(alice.pageText()).contains("Reason: Certificates rotated", "removed the access from AWS");
        alice.screenshot("portal-03-alice-ended");
        checkPage(alice, "ended");
      } catch (RuntimeException | Error e) {
        alice.screenshot("FAILED-portal-alice-end");
        throw e;
      }
    }
    JsonNode revoked = api.awaitStatus(id, "REVOKED");
    assertThat(revoked.get("revokeReason").asText()).isEqualTo("Certificates rotated");
    assertThat(SandboxSso.assignments(sso, DemoOrganization.STAGING_ACCOUNT_ID,
        DemoOrganization.POWER_USER_PERMISSION_SET_ARN)).noneMatch(a -> a.principalId().equals(DemoOrganization.ALICE_USER_ID));
  }

  /** Opens {@code url}, signs in on Airlock's sign-in page it leads to, and lands on {@code url}. */
  static void signIn(Browser browser, String url, String user) {
    browser.open(url);
    browser.type(By.id("username"), user);
    browser.type(By.id("password"), "airlock");
    browser.click(By.xpath("//button[normalize-space(.)='Sign in']"));
    browser.waitFor(d -> !d.getCurrentUrl().contains("/sign-in"));
  }

  /** No console error and no serious or critical accessibility violation on the page as it is. */
  static void checkPage(Browser browser, String name) {
    assertThat(browser.consoleErrors()).as("browser console on " + name).isEmpty();
    assertThat(browser.seriousAccessibilityViolations()).as("axe on " + name).isEmpty();
  }

  private static String preview(Browser browser) {
    return browser.visible(By.id("preview")).getText();
  }

  /** Picks an option by the start of its text, as a keyboard user would, and waits for htmx to settle. */
  private static void select(Browser browser, String id, String label) {
    browser.waitFor(d -> new Select(browser.visible(By.id(id))).getOptions().stream()
        .anyMatch(o -> o.getText().startsWith(label)));
    Select select = new Select(browser.visible(By.id(id)));
    String text = select.getOptions().stream().map(o -> o.getText()).filter(t -> t.startsWith(label)).findFirst()
        .orElseThrow();
    select.selectByVisibleText(text);
    browser.waitFor(d -> new Select(browser.visible(By.id(id))).getFirstSelectedOption().getText().equals(text)
        && browser.all(By.cssSelector(".htmx-request")).isEmpty());
  }
}
