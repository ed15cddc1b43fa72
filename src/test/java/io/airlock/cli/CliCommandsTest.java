package io.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's exit codes, outputs and sign-in, against a small fake of Airlock's API and of
 * Keycloak's device sign-in (com.sun.net.httpserver on 127.0.0.1, stopped after each test). The
 * real application is CliIntegrationTest's.
 */
class CliCommandsTest {

  @TempDir Path home;
  HttpServer server;
  String base;
  CliRunner cli;
  final AtomicInteger pendingPolls = new AtomicInteger();
  final List<String> tokenRequests = Collections.synchronizedList(new ArrayList<>());
  final List<String> filed = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    // Airlock: the catalog for alice (basic alice:airlock, or a bearer token the fake token endpoint issued)
    server.createContext("/api/catalog", x -> {
      String auth = x.getRequestHeaders().getFirst("Authorization");
      boolean ok = ("Basic " + Base64.getEncoder().encodeToString("alice:airlock".getBytes())).equals(auth)
          || auth != null && auth.startsWith("Bearer access-");
      if (ok) {
        send(x, 200, "{\"user\":\"alice\",\"targets\":[{\"target\":\"333333333333\",\"name\":\"staging\",\"ouPath\":\"Workloads/NonProd\","
            + "\"permissions\":[{\"permission\":\"PowerUserAccess\",\"maxDurationMinutes\":240,\"approverGroups\":[\"airlock-approvers\"],\"approvalsRequired\":1}]}]}");
      } else {
        send(x, 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"Sign in first\"}");
      }
    });
    server.createContext("/api/requests", x -> {
      if ("POST".equals(x.getRequestMethod())) {
        filed.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        send(x, 201, "{\"id\":\"r-1\",\"status\":\"PENDING_REVIEW\",\"approverGroups\":\"airlock-approvers\"}");
      } else {
        send(x, 200, "[]");
      }
    });
    server.createContext("/api/requests/preview", x -> send(x, 200, "{\"outcome\":\"NEEDS_REVIEW\","
        + "\"approverGroups\":[\"airlock-approvers\"],\"approvalsRequired\":1,\"reason\":\"Power user needs a review\"}"));
    server.createContext("/api/requests/r-409/withdraw", x -> send(x, 409,
        "{\"status\":409,\"detail\":\"The request is no longer waiting for review (it is Active)\"}"));
    server.createContext("/api/requests/r-503/withdraw", x -> send(x, 503,
        "{\"status\":503,\"detail\":\"Airlock cannot reach its database right now, so nothing was done.\"}"));
    server.createContext("/api/requests/r-500/withdraw", x -> send(x, 500, "<html>boom</html>"));
    // Keycloak: discovery, device authorization, token (pending twice, then tokens; refresh)
    server.createContext("/realms/airlock/.well-known/openid-configuration", x -> send(x, 200,
        "{\"issuer\":\"" + base + "/realms/airlock\",\"device_authorization_endpoint\":\"" + base + "/realms/airlock/device\","
            + "\"token_endpoint\":\"" + base + "/realms/airlock/token\"}"));
    server.createContext("/realms/airlock/device", x -> {
      String form = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(form).contains("client_id=airlock-cli");
      send(x, 200, "{\"device_code\":\"dev-1\",\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\"" + base + "/device\","
          + "\"verification_uri_complete\":\"" + base + "/device?user_code=WDJB-MJHT\",\"expires_in\":600,\"interval\":0}");
    });
    server.createContext("/realms/airlock/token", x -> {
      String form = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      tokenRequests.add(form);
      if (form.contains("grant_type=refresh_token")) {
        send(x, 200, "{\"access_token\":\"access-2\",\"refresh_token\":\"refresh-2\",\"expires_in\":300}");
      } else if (pendingPolls.getAndIncrement() < 2) {
        send(x, 400, "{\"error\":\"authorization_pending\"}");
      } else {
        send(x, 200, "{\"access_token\":\"access-1\",\"refresh_token\":\"refresh-1\",\"expires_in\":31}");
      }
    });
    server.start();
    cli = new CliRunner(home);
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void withoutASignInEveryCommandSaysSoWithExit3InTextAndJson() {
    CliRunner.Result text = cli.run("ls");
    assertThat(text.code()).as(text.toString()).isEqualTo(3);
    assertThat(text.err()).isEqualTo("airlock: You are not signed in: run airlock login\n");
    CliRunner.Result json = cli.run("ls", "--output", "json");
    assertThat(json.code()).isEqualTo(3);
    assertThat(json.json().at("/error/kind").asText()).isEqualTo("not-signed-in");
    assertThat(json.json().at("/error/exit").asInt()).isEqualTo(3);
  }

  @Test
  void badInputIsExit2NamingTheFieldBeforeAnythingElse() {
    CliRunner.Result duration = cli.run("request", "-a", "staging", "-p", "PowerUserAccess", "-d", "5x", "-j", "why");
    assertThat(duration.code()).as(duration.toString()).isEqualTo(2);
    assertThat(duration.err()).startsWith("airlock: duration: '5x' is not a duration");
    CliRunner.Result option = cli.run("request", "--frobnicate");
    assertThat(option.code()).isEqualTo(2);
    assertThat(option.err()).contains("Unknown option: '--frobnicate'").doesNotContain("Exception");
    CliRunner.Result both = cli.run("review", "r-1", "--approve", "--deny");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
  }

  @Test
  void basicSignInIsCheckedThenStoredReadableByItsOwnerOnly() throws Exception {
    CliRunner.Result wrong = cli.stdin("wrong\n").run("login", "--server", base, "--user", "alice", "--password-stdin");
    assertThat(wrong.code()).as(wrong.toString()).isEqualTo(3);
    assertThat(wrong.err()).contains("did not accept the sign-in; nothing was stored");
    assertThat(cli.configDir().resolve("credentials.json")).doesNotExist();

    CliRunner.Result ok = cli.stdin("airlock\n").run("login", "--server", base, "--user", "alice", "--password-stdin", "-o", "json");
    assertThat(ok.code()).as(ok.toString()).isZero();
    assertThat(ok.json().get("user").asText()).isEqualTo("alice");
    Path file = cli.configDir().resolve("credentials.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.configDir()))).isEqualTo("rwx------");

    CliRunner.Result env = new CliRunner(home).env("AIRLOCK_PASSWORD", "airlock").env("AIRLOCK_URL", base)
        .run("login", "--user", "alice");
    assertThat(env.out()).isEqualTo("Signed in to " + base + " as alice.\n");

    assertThat(cli.run("logout").out()).isEqualTo("Signed out.\n");
    assertThat(file).doesNotExist();
  }

  @Test
  void deviceSignInShowsTheUrlAndCodePollsUntilGrantedAndRefreshesTheToken() throws Exception {
    CliRunner.Result r = cli.run("login", "--server", base, "--issuer", base + "/realms/airlock");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).contains("open " + base + "/device?user_code=WDJB-MJHT").contains("WDJB-MJHT");
    assertThat(r.out()).isEqualTo("Signed in to " + base + " as alice.\n");
    assertThat(tokenRequests).hasSize(3).allMatch(f -> f.contains("device_code=dev-1") && f.contains("client_id=airlock-cli"));
    JsonNode stored = Api.JSON.readTree(cli.configDir().resolve("credentials.json").toFile());
    assertThat(stored.get("kind").asText()).isEqualTo("bearer");
    assertThat(stored.get("refreshToken").asText()).isEqualTo("refresh-1");
    assertThat(stored.has("password")).isFalse();

    // The access token lives 31 s, and is refreshed 30 s before it expires: after two seconds the next
    // command refreshes it first, and keeps the new one.
    Thread.sleep(2100);
    CliRunner.Result ls = cli.run("ls", "-o", "json");
    assertThat(ls.code()).as(ls.toString()).isZero();
    assertThat(ls.json().isArray()).isTrue();
    assertThat(tokenRequests.get(tokenRequests.size() - 1)).contains("grant_type=refresh_token").contains("refresh_token=refresh-1");
    stored = Api.JSON.readTree(cli.configDir().resolve("credentials.json").toFile());
    assertThat(stored.get("accessToken").asText()).isEqualTo("access-2");
    assertThat(stored.get("refreshToken").asText()).isEqualTo("refresh-2");
  }

  @Test
  void airlocksRefusalsBecomeExitCodesWithItsWordsNeverAStackTrace() {
    cli.stdin("airlock\n").run("login", "--server", base, "--user", "alice", "--password-stdin");
    CliRunner.Result conflict = cli.run("withdraw", "r-409");
    assertThat(conflict.code()).isEqualTo(1);
    assertThat(conflict.err()).isEqualTo("airlock: The request is no longer waiting for review (it is Active)\n");
    CliRunner.Result down = cli.run("withdraw", "r-503", "-o", "json");
    assertThat(down.code()).isEqualTo(4);
    assertThat(down.json().at("/error/message").asText()).startsWith("Airlock cannot reach its database");
    assertThat(down.json().at("/error/details/status").asInt()).isEqualTo(503);
    CliRunner.Result broken = cli.run("withdraw", "r-500");
    assertThat(broken.code()).isEqualTo(10);
    assertThat(broken.err()).isEqualTo("airlock: Airlock answered 500\n");
  }

  @Test
  void anAirlockThatIsNotThereIsExit4() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Credentials.basic("http://127.0.0.1:" + closed, "alice", "airlock").save(cli.configDir());
    CliRunner.Result r = cli.run("ls");
    assertThat(r.code()).as(r.toString()).isEqualTo(4);
    assertThat(r.err()).startsWith("airlock: Airlock cannot be reached at http://127.0.0.1:" + closed)
        .contains("Nothing was done");
  }

  @Test
  void problemJsonReadsAsItsDetailAndNamedFields() throws Exception {
    String problem = "{\"status\":400,\"detail\":\"Invalid request\",\"errors\":[{\"field\":\"duration\",\"message\":\"must be at most PT8H\"}]}";
    assertThat(Api.said(Api.JSON.readTree(problem))).isEqualTo("Invalid request\nduration: must be at most PT8H");
    for (int[] s : new int[][] {{400, 2}, {404, 2}, {422, 2}, {401, 3}, {302, 3}, {403, 1}, {409, 1}, {503, 4}, {502, 4}, {500, 10}}) {
      try {
        Api.answer(s[0], problem, base);
        throw new AssertionError(s[0] + " passed");
      } catch (CliException e) {
        assertThat(e.exit().code()).as("HTTP " + s[0]).isEqualTo(s[1]);
      }
    }
  }

  @Test
  void whatIsMissingIsOfferedFromTheCatalogAtATerminalAndListedWithExit2InAScript() throws Exception {
    cli.stdin("airlock\n").run("login", "--server", base, "--user", "alice", "--password-stdin");

    CliRunner.Result script = cli.run("request", "-j", "Deploy the hotfix", "-o", "json");
    assertThat(script.code()).as(script.toString()).isEqualTo(2);
    assertThat(script.json().at("/error/details/field").asText()).isEqualTo("account");
    assertThat(script.json().at("/error/details/choices/0/value").asText()).isEqualTo("333333333333");
    assertThat(script.json().at("/error/details/choices/0/label").asText()).isEqualTo("staging (333333333333) · Workloads/NonProd");
    assertThat(filed).isEmpty();

    // A person answers: the first account, the first permission, the second duration, and why.
    CliRunner.Result person = cli.interactive(true).stdin("1\n1\n2\nDeploy the hotfix\n").run("request");
    assertThat(person.code()).as(person.toString()).isZero();
    assertThat(person.err()).contains("Which account? Choose one:\n   1) staging (333333333333) · Workloads/NonProd")
        .contains("Which permission in staging (333333333333)? Choose one:\n   1) PowerUserAccess · up to 4 h · approved by airlock-approvers")
        .contains("How long? Up to 4 h. Choose one:\n   1) 15 min\n   2) 30 min\n   3) 1 h\n   4) 2 h\n   5) 4 h")
        .contains("What policy will do: Needs 1 review by airlock-approvers. Power user needs a review")
        .contains("Filed as request r-1: Waiting for review.");
    assertThat(person.out()).isEqualTo("r-1\n");
    JsonNode body = Api.JSON.readTree(filed.get(0));
    assertThat(body.get("target").asText()).isEqualTo("333333333333");
    assertThat(body.get("permission").asText()).isEqualTo("PowerUserAccess");
    assertThat(body.get("duration").asText()).isEqualTo("PT30M");
    assertThat(body.get("justification").asText()).isEqualTo("Deploy the hotfix");
  }

  @Test
  void beforeAirlockHasReadTheOrganizationANameSaysWhyAndAnIdStillWorks() {
    server.removeContext("/api/catalog");
    server.createContext("/api/catalog", x -> send(x, 200, "{\"user\":\"alice\",\"targets\":[],\"emptyBecause\":"
        + "\"Airlock has not read your AWS organization yet: no account is in its inventory.\"}"));
    Credentials.basic(base, "alice", "airlock").save(cli.configDir());
    CliRunner.Result named = cli.run("request", "-a", "staging", "-p", "PowerUserAccess", "-d", "1h", "-j", "Deploy");
    assertThat(named.code()).as(named.toString()).isEqualTo(2);
    assertThat(named.err()).isEqualTo("airlock: account: 'staging' is no account you may ask for. Airlock has not read your "
        + "AWS organization yet: no account is in its inventory. Meanwhile, give the 12-digit account id.\n");
    CliRunner.Result byId = cli.run("request", "-a", "333333333333", "-p", "PowerUserAccess", "-d", "1h", "-j", "Deploy");
    assertThat(byId.code()).as(byId.toString()).isZero();
    assertThat(byId.out()).isEqualTo("r-1\n");
  }

  @Test
  void completionAndHelpSayTheCommandsAndExitCodes() {
    CliRunner.Result bash = cli.run("completion", "bash");
    assertThat(bash.code()).isZero();
    assertThat(bash.out()).contains("complete -F _complete_airlock").contains("request").contains("--aws-profile");
    CliRunner.Result help = cli.run("--help");
    assertThat(help.out()).contains("Exit codes:").contains("5    timed out waiting");
  }

  @Test
  void anAwsProfileReplacesItsOwnSectionsAndKeepsTheRest() throws Exception {
    Files.createDirectories(cli.awsConfig().getParent());
    Files.writeString(cli.awsConfig(), "[default]\nregion = eu-west-1\n\n[profile staging-power]\nsso_account_id = 1\n\n[profile other]\nregion = x\n");
    JsonNode request = Api.JSON.readTree("{\"target\":\"333333333333\",\"permission\":\"PowerUserAccess\"}");
    JsonNode links = Api.JSON.readTree("{\"ssoStartUrl\":\"https://d-1.awsapps.com/start\",\"ssoRegion\":\"us-east-1\"}");
    AwsProfile.write(cli.awsConfig(), AwsProfile.sections("staging-power", request, links));
    assertThat(Files.readString(cli.awsConfig())).isEqualTo("""
        [default]
        region = eu-west-1

        [profile other]
        region = x

        [profile staging-power]
        sso_session = airlock
        sso_account_id = 333333333333
        sso_role_name = PowerUserAccess
        region = us-east-1

        [sso-session airlock]
        sso_start_url = https://d-1.awsapps.com/start
        sso_region = us-east-1
        sso_registration_scopes = sso:account:access
        """);
  }

  private static void send(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", body.startsWith("<") ? "text/html" : "application/json");
    x.sendResponseHeaders(status, bytes.length);
    x.getResponseBody().write(bytes);
    x.close();
  }
}
