package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * An analyst edits one file in bpmn/, dmn/ or forms/ and restarts Airlock, as they would: the
 * application runs from a copy of the model folders in a temporary directory
 * ({@code airlock.models.patterns}), and each test starts a new application context on the same
 * PostgreSQL database as the one before, with exactly one kind of change in between. Startup
 * succeeds; new requests use the new version; a request started before the change keeps its
 * version (task name, form, decision) and still goes through review to active access.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelRedeployIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NEW_TASK_NAME = "Review the access request";
  private static final String NEW_REASON = "Reviewed under the changed policy";
  private static final String NEW_FORM_TEXT = "Changed by an analyst";

  @TempDir static Path models;
  static EmbeddedPostgres postgres;
  /** Requests left waiting for review by the previous start, by step. */
  static String beforeBpmnChange;
  static String beforeDmnChange;
  static String beforeFormChange;
  static String reasonBeforeDmnChange;

  ConfigurableApplicationContext app;
  ApiClient api;

  @BeforeAll
  static void database() throws IOException {
    postgres = TestPostgres.start();
    for (String folder : List.of("bpmn", "dmn", "forms")) {
      Path target = Files.createDirectories(models.resolve(folder));
      try (Stream<Path> files = Files.list(Path.of(folder))) {
        for (Path f : files.toList()) {
          Files.copy(f, target.resolve(f.getFileName()));
        }
      }
    }
  }

  @AfterAll
  static void stopDatabase() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Order(1)
  @Test
  void firstStartDeploysTheModels() {
    start();
    assertThat(deployments()).isEqualTo(1);
    assertThat(latestVersion("process-definition", "access-request")).isEqualTo(1);
    beforeBpmnChange = pendingRequest();
    assertThat(modelName(reviewTask(beforeBpmnChange))).isEqualTo("Review access request");
    JsonNode deployed = audit("policy.deployed");
    assertThat(deployed.get("actor").asText()).isEqualTo("airlock");
    assertThat(deployed.toString()).contains("bpmn/access-request.bpmn", "\"sha256\"");
  }

  @Order(2)
  @Test
  void aRestartWithoutChangesDeploysNothing() {
    start();
    assertThat(deployments()).isEqualTo(1);
    assertThat(latestVersion("process-definition", "access-request")).isEqualTo(1);
  }

  @Order(3)
  @Test
  void aBpmnOnlyChangeIsANewVersionWithItsForms() throws Exception {
    editXml("bpmn/access-request.bpmn", doc -> byId(doc, "Task_ReviewRequest").setAttribute("name", NEW_TASK_NAME));

    start();

    assertThat(deployments()).isEqualTo(2);
    assertThat(latestVersion("process-definition", "access-request")).isEqualTo(2);
    String after = pendingRequest();
    JsonNode task = reviewTask(after);
    assertThat(modelName(task)).isEqualTo(NEW_TASK_NAME);
    assertThat(version(task)).isEqualTo(2);
    assertThat(form(task).get("id").asText()).isEqualTo("review-access-request");
    // the request from before the change: its version, its task, its form; and it still works
    JsonNode old = reviewTask(beforeBpmnChange);
    assertThat(modelName(old)).isEqualTo("Review access request");
    assertThat(version(old)).isEqualTo(1);
    assertThat(form(old).get("id").asText()).isEqualTo("review-access-request");
    approve(beforeBpmnChange);
    beforeDmnChange = after;
    reasonBeforeDmnChange = request(after).get("reason").asText();
  }

  @Order(4)
  @Test
  void aDmnOnlyChangeJudgesNewRequests() throws Exception {
    editXml("dmn/auto-approval.dmn", doc -> setOutput(doc, "approvalReason", "\"" + NEW_REASON + "\""));

    start();

    assertThat(deployments()).isEqualTo(3);
    assertThat(latestVersion("decision-definition", "auto-approval")).isEqualTo(3);
    String after = pendingRequest();
    assertThat(request(after).get("reason").asText()).isEqualTo(NEW_REASON);
    assertThat(request(beforeDmnChange).get("reason").asText()).isEqualTo(reasonBeforeDmnChange)
        .isNotEqualTo(NEW_REASON);
    assertThat(version(reviewTask(beforeDmnChange))).isEqualTo(2);
    approve(beforeDmnChange);
    beforeFormChange = after;
  }

  @Order(5)
  @Test
  void aFormOnlyChangeTakesEffectForNewRequests() throws Exception {
    Path form = models.resolve("forms/review-access-request.form");
    ObjectNode json = (ObjectNode) JSON.readTree(form.toFile());
    ((ArrayNode) json.get("components")).insertObject(0)
        .put("type", "text").put("id", "Text_ChangedByAnalyst").put("text", NEW_FORM_TEXT);
    JSON.writerWithDefaultPrettyPrinter().writeValue(form.toFile(), json);

    start();

    assertThat(deployments()).isEqualTo(4);
    assertThat(latestVersion("process-definition", "access-request")).isEqualTo(4);
    String after = pendingRequest();
    assertThat(form(reviewTask(after)).toString()).contains(NEW_FORM_TEXT);
    JsonNode old = reviewTask(beforeFormChange);
    assertThat(form(old).toString()).doesNotContain(NEW_FORM_TEXT);
    approve(beforeFormChange);
  }

  // ---------------------------------------------------------------- helpers

  private void start() {
    String dir = models.toUri().toString(); // file:/tmp/.../
    // Command-line arguments: they win over application.yaml (builder "properties" would not).
    app = new SpringApplicationBuilder(AirlockApplication.class).run(
        "--server.port=0",
        "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
        "--spring.datasource.username=postgres",
        "--spring.datasource.password=",
        "--airlock.models.patterns=" + dir + "bpmn/**/*.bpmn," + dir + "dmn/**/*.dmn," + dir + "forms/**/*.form",
        "--airlock.aws.sandbox.port=0",
        "--airlock.aws.sandbox.operation-delay=PT0.3S",
        "--airlock.aws.first-poll-delay=PT0.3S",
        "--airlock.inventory.scheduled=false",
        "--airlock.reconciler.scheduled=false",
        "--camunda.bpm.job-execution.wait-time-in-millis=200",
        "--camunda.bpm.job-execution.max-wait=1000");
    api = new ApiClient(app.getEnvironment().getProperty("local.server.port", Integer.class));
  }

  /** alice asks for power-user access outside production: it waits for review. */
  private String pendingRequest() {
    Reply submitted = api.post("alice", "/api/requests", Map.of("system", "AWS", "target", "222222222222",
        "principal", "alice", "permission", "PowerUserAccess", "duration", "PT1H", "justification", "redeploy test"));
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    api.awaitStatus(id, "PENDING_REVIEW");
    return id;
  }

  private void approve(String id) {
    Reply approved = api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE"));
    assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");
  }

  private JsonNode request(String id) {
    return admin("/api/requests/" + id);
  }

  private JsonNode reviewTask(String id) {
    JsonNode[] task = new JsonNode[1];
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode tasks = admin("/engine-rest/task?processInstanceBusinessKey=" + id);
      assertThat(tasks).hasSize(1);
      task[0] = tasks.get(0);
    });
    return task[0];
  }

  /**
   * The review task's name in the model its instance runs (the task itself carries a name made
   * from the request: "Review: alice · ...").
   */
  private String modelName(JsonNode task) {
    JsonNode tree = admin("/engine-rest/process-instance/" + task.get("processInstanceId").asText()
        + "/activity-instances");
    for (JsonNode child : tree.get("childActivityInstances")) {
      if (child.get("activityId").asText().equals("Task_ReviewRequest")) {
        return child.get("activityName").asText();
      }
    }
    throw new AssertionError("No review task in " + tree);
  }

  /** The form an approver opens on the task (Tasklist asks the same endpoint). */
  private JsonNode form(JsonNode task) {
    Reply form = api.get("bob", "/engine-rest/task/" + task.get("id").asText() + "/deployed-form");
    assertThat(form.status()).as(form.raw()).isEqualTo(200);
    return form.body();
  }

  private int version(JsonNode task) {
    return admin("/engine-rest/process-definition/" + task.get("processDefinitionId").asText()).get("version").asInt();
  }

  private int deployments() {
    return admin("/engine-rest/deployment/count?name=airlock").get("count").asInt();
  }

  private int latestVersion(String kind, String key) {
    return admin("/engine-rest/" + kind + "/key/" + key).get("version").asInt();
  }

  private JsonNode audit(String action) {
    JsonNode entries = admin("/api/audit?action=" + action).get("events");
    assertThat(entries).isNotEmpty();
    return entries.get(entries.size() - 1);
  }

  private JsonNode admin(String path) {
    Reply r = api.get("admin", path);
    assertThat(r.status()).as(path + ": " + r.raw()).isEqualTo(200);
    return r.body();
  }

  interface XmlEdit {
    void apply(Document doc) throws Exception;
  }

  private static void editXml(String file, XmlEdit edit) throws Exception {
    Path path = models.resolve(file);
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document doc = f.newDocumentBuilder().parse(path.toFile());
    edit.apply(doc);
    TransformerFactory.newInstance().newTransformer().transform(new DOMSource(doc), new StreamResult(path.toFile()));
  }

  private static Element byId(Document doc, String id) {
    NodeList all = doc.getElementsByTagNameNS("*", "*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (id.equals(e.getAttribute("id"))) {
        return e;
      }
    }
    throw new AssertionError("no element " + id);
  }

  /** Sets the output column {@code name} of every rule to {@code value}. */
  private static void setOutput(Document doc, String name, String value) {
    NodeList outputs = doc.getElementsByTagNameNS("*", "output");
    int column = -1;
    for (int i = 0; i < outputs.getLength(); i++) {
      if (name.equals(((Element) outputs.item(i)).getAttribute("name"))) {
        column = i;
      }
    }
    assertThat(column).as("output " + name).isNotNegative();
    NodeList rules = doc.getElementsByTagNameNS("*", "rule");
    for (int i = 0; i < rules.getLength(); i++) {
      Element entry = (Element) ((Element) rules.item(i)).getElementsByTagNameNS("*", "outputEntry").item(column);
      entry.getElementsByTagNameNS("*", "text").item(0).setTextContent(value);
    }
  }
}
