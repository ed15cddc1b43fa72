package io.airlock;

import static io.airlock.PortalBrowserTest.checkPage;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.audit.AuditShipper;
import io.airlock.audit.AuditWatch;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.Browser;
import io.airlock.support.People;
import io.airlock.support.PostgresTestConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * Airlock's pages for the roles that are not requesters, in a real browser: carol (auditor) finds
 * erin's live grant in "Who has what" and downloads it as CSV, reads the audit log newest first
 * with its verification state; pat (policy author) reads the deployed tables, asks what alice may
 * request, and uploads a changed auto-approval table to see whose outcome it would change; alice
 * opening Audit or Policy gets Airlock's refusal page. Every page is checked for console errors and
 * serious accessibility violations; a failing step leaves a screenshot. Its own context, closed
 * after it: a context left in the cache while other tests close theirs loses the Camunda webapps'
 * static runtime delegates (Tasklist then answers 500).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@org.springframework.test.annotation.DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalRolesBrowserTest {

  @LocalServerPort int port;
  @Autowired AuditWatch watch;
  @Autowired io.airlock.audit.AuditLog audit;
  @Autowired ObjectProvider<AuditShipper> shipper;
  ApiClient api;
  String base;
  /** erin's read-only access in staging, approved at once, active (erin: alice's requests are PortalBrowserTest's). */
  String granted;
  /** erin's power-user request in staging, waiting for review. */
  String reviewed;

  @BeforeAll
  void setUp() {
    api = new ApiClient(port);
    base = "http://127.0.0.1:" + port;
    assertThat(api.post("admin", "/api/inventory/scan", null).status()).isEqualTo(200); // account names
    granted = api.post("erin", "/api/requests", People.request(DemoOrganization.STAGING_ACCOUNT_ID, "erin",
        "ReadOnlyAccess", "PT30M", "Read the staging logs for INC-7")).body().get("id").asText();
    api.awaitStatus(granted, "ACTIVE");
    reviewed = api.post("erin", "/api/requests", People.request(DemoOrganization.STAGING_ACCOUNT_ID, "erin",
        "PowerUserAccess", "PT30M", "Restart the staging workers")).body().get("id").asText();
    api.awaitStatus(reviewed, "PENDING_REVIEW");
  }

  /** Nothing of erin's left waiting or held for the other tests on this context (bob's "Waiting for me"). */
  @AfterAll
  void tidyUp() {
    api.post("erin", "/api/requests/" + reviewed + "/withdraw", java.util.Map.of("reason", "done testing"));
    api.post("erin", "/api/requests/" + granted + "/revoke", java.util.Map.of("reason", "done testing"));
  }

  @Test
  @Order(1)
  void carolSeesWhoHasWhatWithErinsLiveGrantAndDownloadsIt() throws Exception {
    // Until the explorer reads Airlock's grants live, a scan puts the grant into the inventory.
    assertThat(api.post("admin", "/api/inventory/scan", null).status()).isEqualTo(200);
    try (Browser carol = signedIn("carol", "/explorer")) {
      try {
        carol.visible(By.xpath("//h1[normalize-space(.)='Who has what']"));
        checkPage(carol, "explorer");
        carol.type(By.id("person"), "erin");
        new Select(carol.visible(By.id("permission"))).selectByVisibleText("ReadOnlyAccess");
        new Select(carol.visible(By.id("source"))).selectByVisibleText("Airlock grants only");
        carol.click(By.xpath("//button[normalize-space(.)='Show']"));
        WebElement row = carol.visible(By.xpath("//table[@id='mappings']//tr[td[contains(., 'staging (333333333333)')]]"));
        assertThat(row.getText()).contains("erin", "ReadOnlyAccess", "Airlock grant, ends");
        assertThat(row.findElement(By.linkText("the request")).getAttribute("href")).endsWith("/requests/" + granted);
        assertThat(carol.pageText()).doesNotContain(granted).contains("Standing access as of the scan at");
        carol.screenshot("roles-01-carol-explorer");
        checkPage(carol, "explorer-filtered");

        String csvUrl = carol.visible(By.linkText("Download CSV")).getAttribute("href");
        HttpResponse<String> csv = download(carol, csvUrl);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Disposition").orElse("")).contains("who-has-what.csv");
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0)).startsWith("principalType,principalId,principalName,accountId,accountName,");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"erin\"", "\"333333333333\"",
            "\"ReadOnlyAccess\"", "AIRLOCK", "\"" + granted + "\""));
        assertThat(lines.subList(1, lines.size())).allSatisfy(l -> assertThat(l).contains("\"erin\"", "AIRLOCK"));
        HttpResponse<String> json = download(carol, carol.visible(By.linkText("Download JSON")).getAttribute("href"));
        assertThat(json.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(json.body()).contains("\"requestId\":\"" + granted + "\"");
      } catch (RuntimeException | Error e) {
        carol.screenshot("FAILED-roles-carol-explorer");
        throw e;
      }
    }
  }

  @Test
  @Order(2)
  void aliceGetsTheRefusalPageForAuditWhoHasWhatAndPolicy() {
    try (Browser alice = signedIn("alice", "/audit")) {
      try {
        for (String page : List.of("/audit", "/explorer", "/policy")) {
          alice.open(base + page);
          alice.visible(By.xpath("//h1[normalize-space(.)='That was not done']"));
          assertThat(alice.pageText()).containsPattern("Only (members of|policy authors)").contains("Nothing was changed")
              .doesNotContain("ENGINE-", "Exception", "at io.airlock", "Whitelabel");
          // The page is a 403: Chrome reports the status, and nothing else may be wrong.
          assertThat(alice.consoleErrors()).allMatch(m -> m.contains("status of 403"));
          assertThat(alice.seriousAccessibilityViolations()).as("axe on refused " + page).isEmpty();
          assertThat(alice.all(By.xpath("//nav//a[normalize-space(.)='Audit' or normalize-space(.)='Policy' or normalize-space(.)='Who has what']"))).isEmpty();
        }
        alice.screenshot("roles-02-alice-refused");
      } catch (RuntimeException | Error e) {
        alice.screenshot("FAILED-roles-alice-refused");
        throw e;
      }
    }
  }

  @Test
  @Order(3)
  void carolReadsTheAuditLogNewestFirstWithItsVerificationState() throws Exception {
    watch.verifyAll();
    AuditShipper s = shipper.getIfAvailable();
    if (s != null) {
      s.ship();
    }
    try (Browser carol = signedIn("carol", "/audit")) {
      try {
        carol.visible(By.xpath("//h1[normalize-space(.)='Audit']"));
        String chain = carol.visible(By.id("chain")).getText();
        assertThat(chain).containsPattern("The log is intact: \\d+ entries checked")
            .contains(s != null ? "anchored in S3 through entry" : "not shipped");
        // Newest first is the log's own order, its entry numbers; the times follow them, except that
        // entries written at the same moment may carry times a few milliseconds apart in either order
        // (each time is taken before the entry waits for its place in the chain; seen in CI).
        List<Long> seqs = carol.all(By.cssSelector("#entries tbody tr")).stream()
            .map(r -> Long.parseLong(r.getAttribute("data-seq"))).toList();
        assertThat(seqs).hasSizeGreaterThan(5).doesNotHaveDuplicates()
            .isSortedAccordingTo(java.util.Comparator.reverseOrder());
        List<Instant> when = carol.all(By.cssSelector("#entries tbody time")).stream()
            .map(t -> Instant.parse(t.getAttribute("datetime"))).toList();
        for (int i = 1; i < when.size(); i++) {
          assertThat(when.get(i)).as("entry %d's time", seqs.get(i)).isBefore(when.get(i - 1).plusSeconds(1));
        }
        checkPage(carol, "audit");

        // alice's newest action is the refusal of the policy page, just before: first when filtered to her.
        carol.type(By.id("who"), "alice");
        carol.click(By.xpath("//button[normalize-space(.)='Show']"));
        carol.waitFor(d -> d.getCurrentUrl().contains("who=alice")); // the filtered page, not the rows of the one before
        List<WebElement> rows = carol.all(By.cssSelector("#entries tbody tr"));
        assertThat(rows.get(0).getText()).contains("alice", "was refused the policy pages");
        assertThat(rows.get(1).getText()).contains("alice", "was refused Who has what");
        // erin's newest: her power-user request, in words, with its request and account.
        carol.type(By.id("who"), "erin");
        carol.click(By.xpath("//button[normalize-space(.)='Show']"));
        carol.waitFor(d -> d.getCurrentUrl().contains("who=erin")); // the filtered page, not the rows of the one before
        rows = carol.all(By.cssSelector("#entries tbody tr"));
        assertThat(rows.get(0).getText()).contains("erin", "set the status to “Waiting for review”",
            "PowerUserAccess for erin", "staging (333333333333)");
        assertThat(rows).anySatisfy(r -> assertThat(r.getText()).contains("asked for access", "PowerUserAccess for erin",
            "staging (333333333333)", "Restart the staging workers"));
        assertThat(carol.pageText()).doesNotContain(reviewed).doesNotContain("request.submitted");
        WebElement link = rows.get(0).findElement(By.linkText("PowerUserAccess for erin"));
        assertThat(link.getAttribute("href")).endsWith("/requests/" + reviewed);

        // A day picker: today in the reader's zone includes it; a day in the past has nothing of hers.
        carol.script("document.getElementById('from').value = '2020-01-01';"
            + "document.getElementById('to').value = '2020-01-02';");
        carol.click(By.xpath("//button[normalize-space(.)='Show']"));
        carol.visible(By.xpath("//p[normalize-space(.)='No entry matches these filters.']"));
        checkPage(carol, "audit-filtered");
        carol.screenshot("roles-03-carol-audit");

        carol.open(base + "/audit?who=erin");
        HttpResponse<String> csv = download(carol, carol.visible(By.linkText("Download CSV")).getAttribute("href"));
        assertThat(csv.body().lines().findFirst().orElse("")).isEqualTo("seq,occurredAt,actor,action,requestId,details,hash");
        assertThat(csv.body()).contains("\"request.submitted\"", "\"" + reviewed + "\"");
        HttpResponse<String> jsonl = download(carol, carol.visible(By.linkText("Download JSON Lines")).getAttribute("href"));
        assertThat(jsonl.body().lines()).allSatisfy(l -> assertThat(l).startsWith("{\"seq\":").contains("\"actor\":\"erin\""));
      } catch (RuntimeException | Error e) {
        carol.screenshot("FAILED-roles-carol-audit");
        throw e;
      }
    }
  }

  @Test
  @Order(4)
  void patReadsPolicyAsksWhatAliceMayRequestAndSimulatesAChangedTable() throws Exception {
    Path changed = Files.createTempFile("auto-approval", ".dmn");
    String dmn = Files.readString(Path.of("dmn/auto-approval.dmn"), StandardCharsets.UTF_8);
    // Power user outside production for at most an hour: approved at once, as read-only is.
    String candidate = dmn.replace("<text>\"ReadOnlyAccess\",\"ViewOnlyAccess\"</text>",
        "<text>\"ReadOnlyAccess\",\"ViewOnlyAccess\",\"PowerUserAccess\"</text>");
    assertThat(candidate).isNotEqualTo(dmn);
    Files.writeString(changed, candidate);
    try (Browser pat = signedIn("pat", "/policy")) {
      try {
        pat.visible(By.xpath("//h2[normalize-space(.)='Auto-approval table']"));
        String tables = pat.pageText();
        assertThat(tables).contains("Access scopes table", "Version ", "first row that matches decides",
            "Read-only permission set under OU Workloads/NonProd", "\"APPROVE\"");
        checkPage(pat, "policy");

        pat.type(By.id("person"), "alice");
        pat.click(By.xpath("//button[normalize-space(.)='Show their choices']"));
        String catalog = pat.visible(By.id("person-catalog")).getText();
        assertThat(catalog).contains("What alice may ask for", "staging (333333333333)", "PowerUserAccess", "4 h",
            "airlock-approvers", "Power user outside production").doesNotContain("PT4H");
        checkPage(pat, "policy-catalog");

        // The starter policy drafted from the scan: what it found, in words, and the tables for Modeler.
        String starter = pat.visible(By.id("starter-summary")).getText();
        assertThat(starter).contains("1 account looks like production, by OU Workloads/Prod, tag environment=production",
            "management (" + DemoOrganization.MANAGEMENT_ACCOUNT_ID + ")", "administrator-like (two approvers everywhere): "
                + "AdministratorAccess");
        assertThat(pat.all(By.xpath("//button[normalize-space(.)='Propose the starter policy']"))).hasSize(1);
        assertThat(download(pat, base + "/policy/starter/access-scopes.dmn").body())
            .contains("<decision id=\"access-scopes\"");

        // A file that is no decision table: said at the field, nothing replayed.
        Files.writeString(changed, "not a model");
        pat.driver().findElement(By.id("file")).sendKeys(changed.toAbsolutePath().toString());
        pat.click(By.xpath("//button[normalize-space(.)='Show what would change']"));
        assertThat(pat.visible(By.id("file-error")).getText()).contains("not a DMN");
        assertThat(pat.all(By.id("diff"))).isEmpty();

        Files.writeString(changed, candidate);
        pat.driver().findElement(By.id("file")).sendKeys(changed.toAbsolutePath().toString());
        pat.click(By.xpath("//button[normalize-space(.)='Show what would change']"));
        String diff = pat.visible(By.id("diff")).getText();
        assertThat(diff).containsPattern("\\d+ requests? would now be approved at once instead of reviewed by an approver")
            .contains("PowerUserAccess in staging (333333333333) for erin")
            .contains("Auto-approval row 8 newly matches", "Auto-approval row 9", "no longer matches")
            .doesNotContain(reviewed);
        pat.screenshot("roles-04-pat-simulation");
        checkPage(pat, "policy-simulation");
        // Nothing was deployed.
        assertThat(pat.pageText()).contains("This page deploys nothing");
      } catch (RuntimeException | Error e) {
        pat.screenshot("FAILED-roles-pat-policy");
        throw e;
      }
    } finally {
      Files.deleteIfExists(changed);
    }
    assertThat(api.get("pat", "/api/catalog").status()).isEqualTo(200);
  }

  private Browser signedIn(String user, String page) {
    Browser b = new Browser();
    b.open(base + page);
    b.type(By.id("username"), user);
    b.type(By.id("password"), "airlock");
    b.click(By.xpath("//button[normalize-space(.)='Sign in']"));
    b.visible(By.tagName("h1"));
    return b;
  }

  /** A download as the signed-in browser would fetch it (its session cookie). */
  private static HttpResponse<String> download(Browser browser, String url) throws Exception {
    String cookies = String.join("; ", browser.driver().manage().getCookies().stream()
        .map(c -> c.getName() + "=" + c.getValue()).toList());
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookies).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return r;
  }

  /** The audit log newest first (the Audit page): the API's oldest-first search reversed, paged backwards by cursor, filtered. */
  @Test
  @Order(5)
  void newestFirstIsTheSearchReversedPagedBackwardsAndFiltered() {
    String actor = "auditor-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 5; i++) {
      assertThat(audit.recordOwn(actor, i % 2 == 0 ? "test.even" : "test.odd", null, java.util.Map.of("i", i))).isTrue();
    }
    assertThat(audit.recordOwn("someone-else", "test.even", null, java.util.Map.of())).isTrue();

    java.util.List<io.airlock.audit.AuditEvent> oldest = audit.search(new io.airlock.audit.AuditLog.Query(null, null, actor, null, null, null, 0, 100));
    assertThat(oldest).hasSize(5);

    java.util.List<io.airlock.audit.AuditEvent> newest = new java.util.ArrayList<>();
    long before = 0;
    for (int page = 0; page < 3; page++) {
      java.util.List<io.airlock.audit.AuditEvent> got = audit.newest(new io.airlock.audit.AuditLog.Newest(null, null, actor, null, null, null, before, 2));
      newest.addAll(got);
      if (got.size() < 2) {
        break;
      }
      before = got.get(got.size() - 1).seq();
    }
    java.util.List<Long> reversed = new java.util.ArrayList<>(oldest.stream().map(io.airlock.audit.AuditEvent::seq).toList());
    java.util.Collections.reverse(reversed);
    assertThat(newest).extracting(io.airlock.audit.AuditEvent::seq).containsExactlyElementsOf(reversed);
    assertThat(newest.get(0).details()).isEqualTo("{\"i\":4}");

    assertThat(audit.newest(new io.airlock.audit.AuditLog.Newest(null, null, actor, null, "test.even", null, 0, 10)))
        .extracting(io.airlock.audit.AuditEvent::details).containsExactly("{\"i\":4}", "{\"i\":2}", "{\"i\":0}");
    assertThat(audit.newest(new io.airlock.audit.AuditLog.Newest(oldest.get(4).occurredAt().plusSeconds(3600), null, actor, null, null,
        null, 0, 10))).isEmpty();
  }
}
