package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Camunda Modeler's Deploy button, as the Modeler sends it: a multipart POST to
 * {@code /engine-rest/deployment/create} with basic credentials, the deployment's name and
 * source and the open file. Accepted for a policy author (pat) and audited with the author, each
 * file and its SHA-256; refused with 403 for everybody else, admins included; a model that would
 * run code of its author's choosing is refused with 400 naming the file and element.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.inventory.scheduled=false",
    "airlock.reconciler.scheduled=false"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
class ModelerDeploymentIntegrationTest {

  static final String CREATE = "/engine-rest/deployment/create";

  @LocalServerPort int port;
  ApiClient api;

  @BeforeEach
  void client() {
    api = new ApiClient(port);
  }

  @Test
  void aPolicyAuthorDeploysADecisionFromModelerAndItIsAudited() throws Exception {
    String dmn = Files.readString(Path.of("dmn/auto-approval.dmn"));
    int before = latestVersion("decision-definition", "auto-approval");

    Reply deployed = api.postFile("pat", CREATE, modeler("auto-approval"), "auto-approval.dmn", dmn);

    assertThat(deployed.status()).as(deployed.raw()).isEqualTo(200);
    String deploymentId = deployed.body().get("id").asText();
    assertThat(deployed.body().get("deployedDecisionDefinitions").toString()).contains("\"key\":\"auto-approval\"");
    assertThat(latestVersion("decision-definition", "auto-approval")).isEqualTo(before + 1);
    JsonNode entry = lastAudit("policy.deployed");
    assertThat(entry.get("actor").asText()).isEqualTo("pat");
    JsonNode details = entry.get("details");
    assertThat(details.get("deploymentId").asText()).isEqualTo(deploymentId);
    assertThat(details.get("source").asText()).isEqualTo("Camunda Modeler");
    assertThat(details.get("resources")).hasSize(1);
    assertThat(details.get("resources").get(0).get("name").asText()).isEqualTo("auto-approval.dmn");
    assertThat(details.get("resources").get(0).get("sha256").asText()).isEqualTo(sha256(dmn));
    assertThat(details.get("definitions").toString()).contains("auto-approval:" + (before + 1));

    // The author sees the deployment but cannot delete it (and with it, cascading, running requests).
    assertThat(api.get("pat", "/engine-rest/deployment/" + deploymentId).status()).isEqualTo(200);
    assertThat(api.delete("pat", "/engine-rest/deployment/" + deploymentId + "?cascade=true").status()).isEqualTo(403);
    assertThat(api.get("admin", "/engine-rest/deployment/" + deploymentId).status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"alice", "bob", "grace", "dave", "carol", "admin"})
  void everybodyElseIsRefused(String user) throws Exception {
    String dmn = Files.readString(Path.of("dmn/auto-approval.dmn"));
    int deployments = count();

    Reply refused = api.postFile(user, CREATE, modeler("by-" + user), "auto-approval.dmn", dmn);

    assertThat(refused.status()).as(refused.raw()).isEqualTo(403);
    assertThat(count()).isEqualTo(deployments);
    JsonNode entry = lastAudit("refused.deploy");
    assertThat(entry.get("actor").asText()).isEqualTo(user);
    if (user.equals("admin")) {
      // the engine lets an admin through; Airlock's guard refuses it, with the files' checksums
      assertThat(refused.body().get("message").asText()).contains("Only members of 'airlock-policy-authors'");
      assertThat(entry.get("details").get("resources").get(0).get("sha256").asText()).isEqualTo(sha256(dmn));
    } else {
      // the engine's authorization check refuses the others before Airlock's guard sees the files
      assertThat(entry.get("details").get("reasons").toString()).contains("the engine refused it");
    }
  }

  @Test
  void withoutCredentialsItIs401() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + CREATE))
        .header("Content-Type", "multipart/form-data; boundary=x")
        .POST(HttpRequest.BodyPublishers.ofString("--x--\r\n")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
  }

  @Test
  void aProcessIsDeployedWithTheFormsItBindsByDeployment() throws IOException {
    String bpmn = Files.readString(Path.of("bpmn/access-request.bpmn"));
    int before = latestVersion("process-definition", "access-request");

    Reply alone = api.postFile("pat", CREATE, modeler("process-alone"), "access-request.bpmn", bpmn);
    assertThat(alone.status()).as(alone.raw()).isEqualTo(400);
    assertThat(alone.body().get("message").asText()).contains(
        "access-request.bpmn: userTask 'Task_ReviewRequest' (Review access request): form 'review-access-request' "
            + "is bound to this deployment (camunda:formRefBinding=\"deployment\") but the deployment does not "
            + "contain it");
    assertThat(latestVersion("process-definition", "access-request")).isEqualTo(before);

    Map<String, String> files = new LinkedHashMap<>();
    files.put("access-request.bpmn", bpmn);
    files.put("request-aws-access.form", Files.readString(Path.of("forms/request-aws-access.form")));
    files.put("review-access-request.form", Files.readString(Path.of("forms/review-access-request.form")));
    files.put("your-access.form", Files.readString(Path.of("forms/your-access.form")));
    Reply together = api.postFiles("pat", CREATE, modeler("process-with-forms"), files);
    assertThat(together.status()).as(together.raw()).isEqualTo(200);
    assertThat(latestVersion("process-definition", "access-request")).isEqualTo(before + 1);
  }

  @Test
  void modelsThatRunCodeOfTheirAuthorsChoosingAreRefused() {
    String script = process("""
        <bpmn:scriptTask id="Task_Script" name="Run a script" scriptFormat="javascript">
          <bpmn:script>java.lang.Runtime.getRuntime().exec('id')</bpmn:script>
        </bpmn:scriptTask>""");
    String javaClass = process("""
        <bpmn:serviceTask id="Task_Class" name="Call a class" camunda:class="io.airlock.request.AccessLifecycle" />""");
    String unknownBean = process("""
        <bpmn:serviceTask id="Task_Bean" name="Call a bean" camunda:delegateExpression="${inventoryService}" />""");
    String engineServices = process("""
        <bpmn:serviceTask id="Task_Escalate" name="Make me admin"
            camunda:expression="${execution.getProcessEngineServices().getIdentityService().createMembership('pat', 'camunda-admin')}" />""");
    String html = """
        <form><script>alert(1)</script></form>""";
    int deployments = count();
    long refusalsBefore = audits("refused.deploy");

    assertRefused(api.postFile("pat", CREATE, modeler("script"), "script.bpmn", script),
        "script.bpmn: scriptTask 'Task_Script' (Run a script): script tasks are refused");
    assertRefused(api.postFile("pat", CREATE, modeler("class"), "class.bpmn", javaClass),
        "class.bpmn: serviceTask 'Task_Class' (Call a class): camunda:class 'io.airlock.request.AccessLifecycle' is refused");
    assertRefused(api.postFile("pat", CREATE, modeler("bean"), "bean.bpmn", unknownBean),
        "bean.bpmn: serviceTask 'Task_Bean' (Call a bean): delegate expression '${inventoryService}' is not one of "
            + "the process's beans");
    assertRefused(api.postFile("pat", CREATE, modeler("escalate"), "escalate.bpmn", engineServices),
        "'execution.getProcessEngineServices' is not allowed");
    assertRefused(api.postFile("pat", CREATE, modeler("html"), "review.html", html),
        "review.html: only BPMN (.bpmn), DMN (.dmn) and Camunda Forms (.form) are deployed");

    assertThat(count()).isEqualTo(deployments);
    assertThat(api.get("admin", "/engine-rest/group?member=pat&id=camunda-admin").body()).isEmpty();
    assertThat(audits("refused.deploy")).isEqualTo(refusalsBefore + 5);
    JsonNode last = lastAudit("refused.deploy");
    assertThat(last.get("actor").asText()).isEqualTo("pat");
    assertThat(last.get("details").get("reasons").toString()).contains("review.html");
  }

  // ---------------------------------------------------------------- helpers

  private static void assertRefused(Reply reply, String message) {
    assertThat(reply.status()).as(reply.raw()).isEqualTo(400);
    assertThat(reply.body().get("message").asText()).contains(message);
  }

  /** The fields Camunda Modeler sends with the file. */
  private static Map<String, String> modeler(String name) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("deployment-name", name);
    fields.put("deployment-source", "Camunda Modeler");
    fields.put("deploy-changed-only", "true");
    return fields;
  }

  private static String process(String element) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
            xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_Hostile"
            targetNamespace="https://airlock.io/test">
          <bpmn:process id="access-request" name="Hostile" isExecutable="true" camunda:historyTimeToLive="P1D">
            <bpmn:startEvent id="StartEvent_AccessRequested" name="Access requested" />
            %s
          </bpmn:process>
        </bpmn:definitions>
        """.formatted(element);
  }

  private int count() {
    return admin("/engine-rest/deployment/count").get("count").asInt();
  }

  private int latestVersion(String kind, String key) {
    return admin("/engine-rest/" + kind + "/key/" + key).get("version").asInt();
  }

  private long audits(String action) {
    return admin("/api/audit?action=" + action + "&limit=1000").get("events").size();
  }

  private JsonNode lastAudit(String action) {
    JsonNode events = admin("/api/audit?action=" + action + "&limit=1000").get("events");
    assertThat(events).isNotEmpty();
    return events.get(events.size() - 1);
  }

  private JsonNode admin(String path) {
    Reply r = api.get("admin", path);
    assertThat(r.status()).as(path + ": " + r.raw()).isEqualTo(200);
    return r.body();
  }

  private static String sha256(String content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
  }
}
