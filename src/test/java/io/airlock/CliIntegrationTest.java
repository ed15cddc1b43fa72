package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.cli.CliRunner;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.SandboxSso;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;

/**
 * The CLI (README, "From the terminal") against the running application with the AWS sandbox, as
 * people at a terminal use it: its entry point called in this JVM with a home of its own (config
 * directory, aws config). alice signs in with her password, asks for read-only access that policy
 * approves at once and waits for it, and the assignment is in (sandbox) AWS; the aws CLI profile is
 * written; ls says it in words with the time left; end removes it from AWS. A duration that is none
 * and a permission set AWS does not have are bad input naming the field; something outside alice's
 * catalog is Airlock's refusal in words; bob cannot approve his own request (four eyes); every
 * command's --output json parses. The same properties as PortalBrowserTest.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
// Its own context, closed after it, as PortalBrowserTest's (the webapps' static delegates).
@org.springframework.test.annotation.DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIntegrationTest {

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @TempDir Path homes;
  SsoAdminClient sso;
  String base;

  @BeforeAll
  void setUp() {
    base = "http://127.0.0.1:" + port;
    sso = SandboxSso.client(sandbox);
    assertThat(new ApiClient(port).post("admin", "/api/inventory/scan", null).status()).isEqualTo(200); // account names
  }

  @AfterAll
  void close() {
    sso.close();
  }

  @Test
  void aliceSignsInAsksWaitsIsGrantedInAwsSeesItInWordsAndEndsIt() throws Exception {
    CliRunner alice = signedIn("alice");
    Path stored = alice.configDir().resolve("credentials.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored))).isEqualTo("rw-------");

    CliRunner.Result asked = alice.run("request", "--account", "sandbox", "--permission", "ReadOnlyAccess",
        "--duration", "30m", "--justification", "Read the payment queue's logs", "--wait", "--aws-profile", "sandbox-ro");
    assertThat(asked.code()).as(asked.toString()).isZero();
    assertThat(asked.err()).contains("ReadOnlyAccess in sandbox (222222222222) for 30 min")
        .contains("What policy will do: Approved at once.").contains("Filed as request ");
    assertThat(asked.out()).containsPattern("Active until \\d\\d:\\d\\d UTC \\(30 min left\\): ReadOnlyAccess in sandbox \\(222222222222\\)")
        .contains("Open in AWS: https://").contains("account_id=222222222222&role_name=ReadOnlyAccess")
        .contains("aws CLI profile 'sandbox-ro' written");
    String id = asked.out().replaceAll("(?s).*airlock end (\\S+).*", "$1");
    assertThat(SandboxSso.holds(sso, DemoOrganization.SANDBOX_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
        DemoOrganization.ALICE_USER_ID)).as("alice's assignment in AWS").isTrue();
    assertThat(Files.readString(alice.awsConfig())).contains("[profile sandbox-ro]", "sso_account_id = 222222222222",
        "sso_role_name = ReadOnlyAccess", "[sso-session airlock]", "sso_start_url = https://");

    CliRunner.Result ls = alice.run("ls");
    assertThat(ls.code()).isZero();
    assertThat(ls.out()).containsPattern(id + "\\s+Active until \\d\\d:\\d\\d UTC \\((30|29) min left\\)\\s+"
        + "ReadOnlyAccess in sandbox \\(222222222222\\) · 30 min");
    JsonNode rows = alice.run("ls", "--output", "json").json();
    JsonNode row = null;
    for (JsonNode r : rows) {
      row = id.equals(r.path("id").asText()) ? r : row;
    }
    assertThat(row).as(rows.toPrettyString()).isNotNull();
    assertThat(row.get("status").asText()).isEqualTo("ACTIVE");
    assertThat(row.get("statusText").asText()).isEqualTo("Active");
    assertThat(row.get("accountName").asText()).isEqualTo("sandbox");
    assertThat(row.get("timeLeft").asText()).matches("(30|29) min");

    CliRunner.Result more = alice.run("extend", id);
    assertThat(more.code()).as(more.toString()).isEqualTo(2); // no --by and nobody to ask: the choices
    assertThat(more.err()).contains("How much more time? Choose one of:").contains("15 min · until ");

    // 15 more minutes: a rework through policy (read-only for at most 1 h in all: approved at once), no gap in AWS.
    CliRunner.Result extended = alice.run("extend", id, "--by", "15m", "--justification", "Still reading", "--wait",
        "-o", "json");
    assertThat(extended.code()).as(extended.toString()).isZero();
    assertThat(extended.json().get("status").asText()).isEqualTo("ACTIVE");
    assertThat(extended.json().at("/extension/extendsRequest").asText()).isEqualTo(id);
    assertThat(extended.json().at("/extension/byText").asText()).isEqualTo("15 min");
    String original = id;
    id = extended.json().get("id").asText();
    assertThat(SandboxSso.holds(sso, DemoOrganization.SANDBOX_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
        DemoOrganization.ALICE_USER_ID)).as("still held: the extension replaced it without a gap").isTrue();
    assertThat(alice.run("ls").out()).containsPattern(id + "\\s+Active until \\d\\d:\\d\\d UTC \\((45|44) min left\\)");

    CliRunner.Result ended = alice.run("end", id, "--reason", "Done reading", "-o", "json");
    assertThat(ended.code()).as(ended.toString()).isZero();
    assertThat(ended.json().get("status").asText()).isEqualTo("REVOKED");
    assertThat(ended.json().get("revokeReason").asText()).isEqualTo("Done reading");
    assertThat(SandboxSso.holds(sso, DemoOrganization.SANDBOX_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
        DemoOrganization.ALICE_USER_ID)).as("alice's assignment gone from AWS").isFalse();
    assertThat(alice.run("ls").out()).doesNotContain(id);
    assertThat(alice.run("ls", "--all").out()).containsPattern(id + "\\s+Ended\\s+ReadOnlyAccess in sandbox");
    assertThat(alice.run("ls", "--all").out()).containsPattern(original + "\\s+Replaced by a newer request\\s+ReadOnlyAccess");
  }

  @Test
  void badInputIsExit2NamingTheFieldAndNothingIsFiled() {
    CliRunner alice = signedIn("alice");
    int before = alice.run("ls", "--all", "-o", "json").json().size();
    CliRunner.Result duration = alice.run("request", "-a", "sandbox", "-p", "ReadOnlyAccess", "-d", "half an hour",
        "-j", "Read the logs");
    assertThat(duration.code()).as(duration.toString()).isEqualTo(2);
    assertThat(duration.err()).startsWith("airlock: duration: 'half an hour' is not a duration");

    CliRunner.Result unknown = alice.run("request", "-a", "sandbox", "-p", "NoSuchAccess", "-d", "30m",
        "-j", "Read the logs", "-o", "json");
    assertThat(unknown.code()).as(unknown.toString()).isEqualTo(2);
    assertThat(unknown.json().at("/error/kind").asText()).isEqualTo("bad-input");
    assertThat(unknown.json().at("/error/details/errors/0/field").asText()).isEqualTo("permission");
    assertThat(unknown.json().at("/error/message").asText()).contains("permission");

    CliRunner.Result missing = alice.run("request", "-a", "nowhere", "-d", "30m", "-j", "Read the logs");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("account: 'nowhere' is no account you may ask for. Choose one of:")
        .contains("222222222222").contains("sandbox (222222222222)");
    assertThat(alice.run("ls", "--all", "-o", "json").json().size()).as("nothing filed").isEqualTo(before);
  }

  @Test
  void somethingOutsideTheCatalogIsAirlocksRefusalInWordsWithExit1() {
    CliRunner alice = signedIn("alice");
    CliRunner.Result r = alice.run("request", "-a", DemoOrganization.MANAGEMENT_ACCOUNT_ID, "-p", "PowerUserAccess",
        "-d", "30m", "-j", "Change the organization");
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("What policy will do: Not allowed.")
        .contains("airlock: Not allowed by policy: No scope allows alice to ask for PowerUserAccess on 111111111111")
        .contains("In management (111111111111) you may ask for:\n  ReadOnlyAccess · up to ")
        .doesNotContain("Exception");
    CliRunner.Result json = alice.run("request", "-a", DemoOrganization.MANAGEMENT_ACCOUNT_ID, "-p", "PowerUserAccess",
        "-d", "30m", "-j", "Change the organization", "-o", "json");
    assertThat(json.code()).isEqualTo(1);
    assertThat(json.json().at("/error/kind").asText()).isEqualTo("refused");
    assertThat(json.json().at("/error/details/status").asText()).isEqualTo("REJECTED_OUT_OF_SCOPE");
    assertThat(json.json().at("/error/details/reason").asText()).isNotBlank();
  }

  @Test
  void anApproverCannotApproveTheirOwnRequestAndWithdrawsIt() {
    CliRunner bob = signedIn("bob");
    CliRunner.Result asked = bob.run("request", "-a", "staging", "-p", "PowerUserAccess", "-d", "1h",
        "-j", "Deploy the hotfix", "-o", "json");
    assertThat(asked.code()).as(asked.toString()).isZero();
    assertThat(asked.json().at("/preview/outcome").asText()).isEqualTo("NEEDS_REVIEW");
    String id = asked.json().at("/request/id").asText();
    assertThat(asked.json().at("/request/status").asText()).isEqualTo("PENDING_REVIEW");

    CliRunner.Result own = bob.run("review", id, "--approve", "--reason", "looks fine");
    assertThat(own.code()).as(own.toString()).isEqualTo(1);
    assertThat(own.err()).isEqualTo("airlock: You cannot review your own access request (" + id
        + "): another approver must\n");

    // What waits for grace's review lists it in words; bob's own is not his to review.
    CliRunner grace = signedIn("grace");
    CliRunner.Result waiting = grace.run("reviews");
    assertThat(waiting.code()).as(waiting.toString()).isZero();
    assertThat(waiting.out()).contains(id + "  bob · PowerUserAccess · staging (333333333333) · 1 h")
        .contains("    Why: Deploy the hotfix").contains("Decide with: airlock review REQUEST --approve");
    assertThat(grace.run("reviews", "-o", "json").json()).anySatisfy(r ->
        assertThat(r.get("id").asText()).isEqualTo(id));
    assertThat(bob.run("reviews").out()).doesNotContain(id);
    assertThat(signedIn("alice").run("reviews").out()).isEqualTo("Nothing waits for your review.\n");

    CliRunner.Result shown = signedIn("grace").run("review", id);
    assertThat(shown.code()).as(shown.toString()).isZero();
    assertThat(shown.out()).contains("bob · PowerUserAccess · staging (333333333333) · 1 h")
        .contains("Status:        Waiting for review").contains("Why:           Deploy the hotfix");

    CliRunner.Result withdrawn = bob.run("withdraw", id, "--reason", "Not needed after all");
    assertThat(withdrawn.code()).as(withdrawn.toString()).isZero();
    assertThat(withdrawn.out()).isEqualTo("Withdrawn: PowerUserAccess in staging (333333333333).\n");
    CliRunner.Result again = bob.run("withdraw", id);
    assertThat(again.code()).isEqualTo(1);
  }

  @Test
  void aWrongPasswordIsNotSignedInAndNothingIsStored() {
    CliRunner nobody = new CliRunner(home("mallory"));
    CliRunner.Result r = nobody.stdin("guess\n").run("login", "--server", base, "--user", "alice", "--password-stdin");
    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(nobody.configDir().resolve("credentials.json")).doesNotExist();
  }

  private CliRunner signedIn(String user) {
    CliRunner cli = new CliRunner(home(user));
    CliRunner.Result r = cli.stdin("airlock\n").run("login", "--server", base, "--user", user, "--password-stdin");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("Signed in to " + base + " as " + user + ".\n");
    return cli;
  }

  private Path home(String user) {
    try {
      return Files.createDirectories(homes.resolve(user));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
