package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.People;
import io.airlock.support.SandboxSso;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
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
import java.util.List;
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
 * source and the open file. Accepted for a policy author (pat) as a <em>proposal</em>, audited
 * with the author, each file and its SHA-256, and in force only once a policy approver who is not
 * its author (quinn) approves it; refused with 403 for everybody else, admins included; a model
 * that would run code of its author's choosing is refused with 400 naming the file and element.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.inventory.scheduled=false",
    "airlock.reconciler.scheduled=false"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
class ModelerDeploymentIntegrationTest {

  static final String CREATE = "/engine-rest/deployment/create";

  static final String SANDBOX = DemoOrganization.SANDBOX_ACCOUNT_ID;

  @LocalServerPort int port;
  @Autowired IdentityService identity;
  @Autowired RepositoryService repositoryService;
  @Autowired JdbcTemplate jdbc;
  @Autowired AwsSandbox sandbox;
  ApiClient api;
  SsoAdminClient aws;

  @BeforeEach
  void client() {
    api = new ApiClient(port);
    aws = SandboxSso.client(sandbox);
  }

  @AfterEach
  void close() {
    aws.close();
  }

  @Test
  void aPolicyAuthorsDeploymentIsAProposalUntilASecondPersonApprovesIt() throws Exception {
    String original = Files.readString(Path.of("dmn/auto-approval.dmn"));
    String approveEverything = approveEverything(original);
    int before = latestVersion("decision-definition", "auto-approval");
    JsonNode manual = submit("erin", "PowerUserAccess", "PT1H", "Debug INC-9");
    assertThat(manual.get("status").asText()).isEqualTo("PENDING_REVIEW");

    // pat deploys a table that approves everything, as Camunda Modeler's Deploy button sends it
    Reply deployed = api.postFile("pat", CREATE, modeler("approve-everything"), "auto-approval.dmn", approveEverything);

    assertThat(deployed.status()).as(deployed.raw()).isEqualTo(200);
    String deploymentId = deployed.body().get("id").asText();
    assertThat(deployed.body().path("deployedDecisionDefinitions").size()).as("nothing is defined from a proposal")
        .isZero();
    assertThat(latestVersion("decision-definition", "auto-approval")).isEqualTo(before);
    JsonNode proposal = proposalOf(deploymentId);
    long id = proposal.get("id").asLong();
    assertThat(proposal.get("status").asText()).isEqualTo("PROPOSED");
    assertThat(proposal.get("author").asText()).isEqualTo("pat");
    assertThat(proposal.get("files").get(0).get("sha256").asText()).isEqualTo(sha256(approveEverything));
    JsonNode proposed = lastAudit("policy.proposed");
    assertThat(proposed.get("actor").asText()).isEqualTo("pat");
    assertThat(proposed.get("details").get("deploymentId").asText()).isEqualTo(deploymentId);
    assertThat(proposed.get("details").get("source").asText()).isEqualTo("Camunda Modeler");
    assertThat(proposed.get("details").get("resources").get(0).get("sha256").asText())
        .isEqualTo(sha256(approveEverything));
    assertThat(proposed.get("details").get("inForceWhenProposed").get("auto-approval").asInt()).isEqualTo(before);

    // nothing changed for requesters: the same request still needs a review
    assertThat(submit("erin", "PowerUserAccess", "PT1H", "Debug INC-9").get("status").asText())
        .isEqualTo("PENDING_REVIEW");

    // the reviewers read what it would change, in words
    JsonNode simulated = awaitProposal(id, p -> !p.path("simulation").isNull() && p.has("simulation"));
    assertThat(simulated.get("simulation").asText()).contains("would now be approved at once instead of reviewed by "
        + "an approver, e.g. erin: PowerUserAccess in ").contains("auto-approval row 1: newly matches ");
    assertThat(lastAudit("policy.proposal-simulated").get("details").get("proposal").asLong()).isEqualTo(id);

    // quinn's Tasklist has the review, named after the proposal and its author; pat's has none
    JsonNode tasks = api.get("quinn", "/engine-rest/task?processDefinitionKey=policy-proposal&processInstanceBusinessKey="
        + id).body();
    assertThat(tasks).hasSize(1);
    String taskId = tasks.get(0).get("id").asText();
    assertThat(tasks.get(0).get("name").asText()).isEqualTo("Review Policy proposal " + id + ": auto-approval.dmn by pat");
    assertThat(api.get("pat", "/engine-rest/task?processInstanceBusinessKey=" + id).body()).isEmpty();

    // the author cannot approve: not on Airlock's API, not on the engine's (Tasklist's) API
    Reply own = api.post("pat", "/api/policies/proposals/" + id + "/review", Map.of("decision", "APPROVE"));
    assertThat(own.status()).as(own.raw()).isEqualTo(403);
    assertThat(api.post("pat", "/engine-rest/task/" + taskId + "/complete", Map.of("variables",
        Map.of("proposalDecision", Map.of("value", "APPROVE")))).status()).isEqualTo(403);
    // not even an author who is also a policy approver
    identity.createMembership("pat", "airlock-policy-approvers");
    try {
      Reply both = api.post("pat", "/engine-rest/task/" + taskId + "/complete", Map.of("variables",
          Map.of("proposalDecision", Map.of("value", "APPROVE"))));
      assertThat(both.status()).as(both.raw()).isEqualTo(403);
      assertThat(both.body().get("message").asText()).contains("You proposed policy proposal " + id);
      assertThat(lastAudit("refused.proposal-review").get("actor").asText()).isEqualTo("pat");
      assertThat(lastAudit("refused.proposal-review").get("details").get("reason").asText())
          .isEqualTo("the author may not review their own proposal");
    } finally {
      identity.deleteMembership("pat", "airlock-policy-approvers");
    }
    // nor an approver of access requests, nor an admin
    assertThat(api.post("bob", "/api/policies/proposals/" + id + "/review", Map.of("decision", "APPROVE")).status())
        .isEqualTo(403);
    assertThat(api.post("admin", "/api/policies/proposals/" + id + "/review", Map.of("decision", "APPROVE")).status())
        .isEqualTo(403);
    assertThat(proposal(id).get("status").asText()).isEqualTo("PROPOSED");
    assertThat(latestVersion("decision-definition", "auto-approval")).isEqualTo(before);

    try {
      // quinn approves: the same files are put in force by Airlock
      Reply approved = api.post("quinn", "/api/policies/proposals/" + id + "/review", Map.of("decision", "APPROVE",
          "comment", "Reviewed the simulation"));
      assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
      JsonNode inForce = awaitProposal(id, p -> p.get("status").asText().equals("IN_FORCE"));
      assertThat(inForce.get("reviewer").asText()).isEqualTo("quinn");
      assertThat(latestVersion("decision-definition", "auto-approval")).isEqualTo(before + 1);
      assertThat(lastAudit("policy.proposal-approved").get("actor").asText()).isEqualTo("quinn");
      JsonNode activated = lastAudit("policy.in-force");
      assertThat(activated.get("details").get("proposal").asLong()).isEqualTo(id);
      assertThat(activated.get("details").get("approvedBy").asText()).isEqualTo("quinn");
      assertThat(activated.get("details").get("definitions").toString()).contains("auto-approval:" + (before + 1));
      // from now on the same request is approved at once, and granted in AWS
      JsonNode now = submit("erin", "PowerUserAccess", "PT1H", "Debug INC-9");
      JsonNode active = api.awaitStatus(now.get("id").asText(), "ACTIVE");
      assertThat(SandboxSso.assignments(aws, SANDBOX, active.get("permissionSetArn").asText())).isNotEmpty();
      // nobody puts the older policy back by deleting the new one, admins included
      String inForceDeployment = inForce.get("inForceDeploymentId").asText();
      for (String user : List.of("admin", "pat", "quinn")) {
        assertThat(api.delete(user, "/engine-rest/deployment/" + inForceDeployment + "?cascade=true").status())
            .as(user).isEqualTo(403);
      }
      assertThat(api.delete("admin", "/engine-rest/process-definition/key/access-request/delete?cascade=true")
          .status()).isEqualTo(403);
      assertThat(lastAudit("refused.deploy").get("details").get("command").asText())
          .isEqualTo("delete process definition");
      assertThat(latestVersion("decision-definition", "auto-approval")).isEqualTo(before + 1);
      // a decided proposal waits no more
      assertThat(api.post("grace", "/api/policies/proposals/" + id + "/review", Map.of("decision", "APPROVE"))
          .status()).isIn(403, 409);
    } finally {
      repositoryService.createDeployment().name("test-restore-policy").addString("dmn/auto-approval.dmn", original)
          .deploy();
    }
  }

  @Test
  void theStarterPolicyDraftedFromTheScanIsProposedByAPolicyAuthorAndInForceOnlyOnceApproved() throws Exception {
    Reply scan = api.post("admin", "/api/inventory/scan", Map.of());
    assertThat(scan.status()).as(scan.raw()).isEqualTo(200);
    String scopes = Files.readString(Path.of("dmn/access-scopes.dmn"));
    String autoApproval = Files.readString(Path.of("dmn/auto-approval.dmn"));
    int scopesBefore = latestVersion("decision-definition", "access-scopes");
    int autoBefore = latestVersion("decision-definition", "auto-approval");

    // pat reads what Airlock drafted from the demo organization, in words
    Reply draft = api.get("pat", "/api/policies/starter");
    assertThat(draft.status()).as(draft.raw()).isEqualTo(200);
    assertThat(draft.body().get("summary").get(0).asText()).isEqualTo("1 account looks like production, by OU "
        + "Workloads/Prod, tag environment=production (a review always; administrator-like sets need two approvers): "
        + "production (" + DemoOrganization.PRODUCTION_ACCOUNT_ID + ").");
    assertThat(draft.body().get("summary").toString()).contains("1 permission set is administrator-like (two "
        + "approvers everywhere): AdministratorAccess.", "permission sets are read-only", "ReadOnlyAccess, "
        + "ViewOnlyAccess", "management (" + DemoOrganization.MANAGEMENT_ACCOUNT_ID + ")");
    assertThat(draft.body().get("files").toString()).isEqualTo("[\"access-scopes.dmn\",\"auto-approval.dmn\"]");
    Reply file = api.get("pat", "/api/policies/starter/auto-approval.dmn");
    assertThat(file.status()).isEqualTo(200);
    assertThat(file.raw()).contains("<decision id=\"auto-approval\"").contains("hitPolicy=\"FIRST\"");
    assertThat(api.get("pat", "/api/policies/starter/secrets.txt").status()).isEqualTo(404);
    // requesters do not read policy; only policy authors propose it
    assertThat(api.get("alice", "/api/policies/starter").status()).isEqualTo(403);
    Reply notAnAuthor = api.post("quinn", "/api/policies/starter/propose", Map.of());
    assertThat(notAnAuthor.status()).as(notAnAuthor.raw()).isEqualTo(403);
    assertThat(notAnAuthor.body().get("detail").asText()).contains("Only members of airlock-policy-authors");

    // pat proposes it as it is: a proposal by pat like one from Modeler, nothing in force yet
    Reply proposed = api.post("pat", "/api/policies/starter/propose", Map.of());
    assertThat(proposed.status()).as(proposed.raw()).isEqualTo(201);
    long id = proposed.body().get("id").asLong();
    assertThat(proposed.body().get("author").asText()).isEqualTo("pat");
    assertThat(proposed.body().get("status").asText()).isEqualTo("PROPOSED");
    assertThat(proposed.body().get("files").toString()).contains("access-scopes.dmn", "auto-approval.dmn");
    JsonNode audited = lastAudit("policy.proposed");
    assertThat(audited.get("actor").asText()).isEqualTo("pat");
    assertThat(audited.get("details").get("source").asText()).isEqualTo("airlock-starter-policy");
    assertThat(latestVersion("decision-definition", "access-scopes")).isEqualTo(scopesBefore);
    assertThat(latestVersion("decision-definition", "auto-approval")).isEqualTo(autoBefore);
    // PowerUserAccess in production is out of alice's scope today
    Reply outOfScope = api.post("alice", "/api/requests", People.request(DemoOrganization.PRODUCTION_ACCOUNT_ID,
        "alice", "PowerUserAccess", "PT1H", "Starter test"));
    assertThat(outOfScope.status()).as(outOfScope.raw()).isEqualTo(201);
    assertThat(outOfScope.body().get("status").asText()).isEqualTo("REJECTED_OUT_OF_SCOPE");

    try {
      awaitProposal(id, p -> !p.path("simulation").isNull() && p.has("simulation"));
      Reply approved = api.post("quinn", "/api/policies/proposals/" + id + "/review", Map.of("decision", "APPROVE",
          "comment", "Fits our organization"));
      assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
      awaitProposal(id, p -> p.get("status").asText().equals("IN_FORCE"));
      assertThat(latestVersion("decision-definition", "access-scopes")).isEqualTo(scopesBefore + 1);
      assertThat(latestVersion("decision-definition", "auto-approval")).isEqualTo(autoBefore + 1);
      // now production is reviewed by one approver for up to an hour
      Reply reviewed = api.post("alice", "/api/requests", People.request(DemoOrganization.PRODUCTION_ACCOUNT_ID,
          "alice", "PowerUserAccess", "PT1H", "Starter test"));
      assertThat(reviewed.status()).as(reviewed.raw()).isEqualTo(201);
      assertThat(reviewed.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
      assertThat(reviewed.body().get("reason").asText()).isEqualTo("Production access needs an approver's review.");
      api.post("alice", "/api/requests/" + reviewed.body().get("id").asText() + "/withdraw",
          Map.of("reason", "test over"));
    } finally {
      repositoryService.createDeployment().name("test-restore-policy").addString("dmn/access-scopes.dmn", scopes)
          .addString("dmn/auto-approval.dmn", autoApproval).deploy();
    }
  }

  @Test
  void aRejectedProposalAndOneOverTakenByAnotherChangeNothing() throws Exception {
    String original = Files.readString(Path.of("dmn/auto-approval.dmn"));
    int before = latestVersion("decision-definition", "auto-approval");
    long first = proposalOf(api.postFile("pat", CREATE, modeler("first"), "auto-approval.dmn",
        approveEverything(original)).body().get("id").asText()).get("id").asLong();
    long second = proposalOf(api.postFile("pat", CREATE, modeler("second"), "auto-approval.dmn",
        original.replace("<text>\"ReadOnlyAccess\",\"ViewOnlyAccess\"</text>",
            "<text>\"ReadOnlyAccess\",\"ViewOnlyAccess\",\"PowerUserAccess\"</text>"))
        .body().get("id").asText()).get("id").asLong();
    long third = proposalOf(api.postFile("pat", CREATE, modeler("third"), "auto-approval.dmn",
        approveEverything(original).replace("Rule_ApproveEverything", "Rule_ApproveAll"))
        .body().get("id").asText()).get("id").asLong();
    try {
      // rejecting needs a reason, the author reads it
      Reply noReason = api.post("grace", "/api/policies/proposals/" + third + "/review", Map.of("decision", "REJECT"));
      assertThat(noReason.status()).isEqualTo(403); // grace approves access requests, not policy
      Reply missing = api.post("quinn", "/api/policies/proposals/" + third + "/review", Map.of("decision", "REJECT"));
      assertThat(missing.status()).as(missing.raw()).isEqualTo(400);
      assertThat(missing.raw()).contains("proposalComment");
      assertThat(proposal(third).get("status").asText()).isEqualTo("PROPOSED");
      // quinn rejects in Tasklist (the engine's task API, as Tasklist submits the form)
      String task = api.get("quinn", "/engine-rest/task?processInstanceBusinessKey=" + third).body().get(0).get("id")
          .asText();
      Reply rejected = api.post("quinn", "/engine-rest/task/" + task + "/submit-form", Map.of("variables", Map.of(
          "proposalDecision", Map.of("value", "REJECT"), "proposalComment", Map.of("value", "Approves everything"))));
      assertThat(rejected.status()).as(rejected.raw()).isEqualTo(204);
      assertThat(awaitProposal(third, p -> p.get("status").asText().equals("REJECTED")).get("reviewComment").asText())
          .isEqualTo("Approves everything");
      assertThat(lastAudit("policy.proposal-rejected").get("actor").asText()).isEqualTo("quinn");

      // the second is approved and in force; the first was made against the policy before it
      assertThat(api.post("quinn", "/api/policies/proposals/" + second + "/review", Map.of("decision", "APPROVE"))
          .status()).isEqualTo(200);
      awaitProposal(second, p -> p.get("status").asText().equals("IN_FORCE"));
      assertThat(api.post("quinn", "/api/policies/proposals/" + first + "/review", Map.of("decision", "APPROVE"))
          .status()).isEqualTo(200);
      JsonNode superseded = awaitProposal(first, p -> p.get("status").asText().equals("SUPERSEDED"));
      assertThat(superseded.get("outcomeReason").asText()).contains("auto-approval (version " + before
          + " when proposed, " + (before + 1) + " in force now)");
      assertThat(latestVersion("decision-definition", "auto-approval")).isEqualTo(before + 1);
      assertThat(lastAudit("policy.proposal-superseded").get("details").get("proposal").asLong()).isEqualTo(first);
      // nobody starts a proposal's review by hand, admin included
      Reply byHand = api.post("admin", "/engine-rest/process-definition/key/policy-proposal/start",
          Map.of("businessKey", String.valueOf(second)));
      assertThat(byHand.status()).as(byHand.raw()).isEqualTo(403);
      // an admin who cancels a proposal's review ends the proposal with it: nothing of it takes effect
      long fourth = proposalOf(api.postFile("pat", CREATE, modeler("fourth"), "auto-approval.dmn",
          approveEverything(original).replace("Rule_ApproveEverything", "Rule_Fourth")).body().get("id").asText())
          .get("id").asLong();
      String instance = jdbc.queryForObject("SELECT process_instance_id FROM policy_proposal WHERE id = ?",
          String.class, fourth);
      assertThat(api.delete("admin", "/engine-rest/process-instance/" + instance).status()).isEqualTo(204);
      JsonNode cancelled = proposal(fourth);
      assertThat(cancelled.get("status").asText()).isEqualTo("EXPIRED");
      assertThat(cancelled.get("outcomeReason").asText()).startsWith("Its review was cancelled by admin");
      assertThat(latestVersion("decision-definition", "auto-approval")).isEqualTo(before + 1);
    } finally {
      repositoryService.createDeployment().name("test-restore-policy").addString("dmn/auto-approval.dmn", original)
          .deploy();
    }
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
    assertThat(latestVersion("process-definition", "access-request")).isEqualTo(before);
    long id = proposalOf(together.body().get("id").asText()).get("id").asLong();
    assertThat(api.post("quinn", "/api/policies/proposals/" + id + "/review", Map.of("decision", "APPROVE")).status())
        .isEqualTo(200);
    awaitProposal(id, p -> p.get("status").asText().equals("IN_FORCE"));
    assertThat(latestVersion("process-definition", "access-request")).isEqualTo(before + 1);
    // the process in force finds its forms in its own deployment
    String definitionId = admin("/engine-rest/process-definition/key/access-request").get("id").asText();
    assertThat(api.get("alice", "/engine-rest/process-definition/" + definitionId + "/deployed-start-form").status())
        .isEqualTo(200);
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

  private JsonNode submit(String user, String permission, String duration, String justification) {
    Reply reply = api.post(user, "/api/requests", People.request(SANDBOX, user, permission, duration, justification));
    assertThat(reply.status()).as(reply.raw()).isEqualTo(201);
    return reply.body();
  }

  /** The proposal a deployment made, as its author reads it. */
  private JsonNode proposalOf(String deploymentId) {
    long id = jdbc.queryForObject("SELECT id FROM policy_proposal WHERE deployment_id = ?", Long.class, deploymentId);
    // its review opens once it has been simulated against past requests
    return awaitProposal(id, p -> !p.path("simulation").isNull() && p.has("simulation"));
  }

  private JsonNode proposal(long id) {
    Reply r = api.get("pat", "/api/policies/proposals/" + id);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.body();
  }

  private JsonNode awaitProposal(long id, java.util.function.Predicate<JsonNode> until) {
    JsonNode[] last = new JsonNode[1];
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(200))
        .until(() -> until.test(last[0] = proposal(id)));
    return last[0];
  }

  /** The shipped auto-approval table with a first rule that approves everything (hit policy FIRST). */
  static String approveEverything(String original) {
    int inputs = original.split("<input id=").length - 1;
    StringBuilder rule = new StringBuilder("<rule id=\"Rule_ApproveEverything\">");
    for (int i = 0; i < inputs; i++) {
      rule.append("<inputEntry id=\"UnaryTests_Everything_").append(i).append("\"><text></text></inputEntry>");
    }
    rule.append("<outputEntry id=\"LiteralExpression_Everything_Outcome\"><text>\"APPROVE\"</text></outputEntry>")
        .append("<outputEntry id=\"LiteralExpression_Everything_Reason\"><text>\"Approved: everything is\"</text>")
        .append("</outputEntry></rule>\n      ");
    int at = original.indexOf("<rule ");
    return original.substring(0, at) + rule + original.substring(at);
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
