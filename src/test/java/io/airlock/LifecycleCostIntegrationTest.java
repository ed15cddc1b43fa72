package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.config.AirlockProperties;
import io.airlock.inventory.InventoryService;
import io.airlock.process.AccessRequestModel;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.sandbox.SandboxState.AssignmentCall;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.People;
import io.airlock.support.PostgresTestConfiguration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.persistence.entity.AuthorizationManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What one access lifecycle costs where it is easy to miss (docs/benchmark.md, "Cost levers"):
 * the authorization table is not read whole on every signed-in call, and AWS is asked for the
 * principal's user id once per request at most, the id it answered then being the one granted
 * and revoked. On PostgreSQL, with many users in Camunda's user store as in the benchmark.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.request.min-duration=PT1S",
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.1S",
    "airlock.reconciler.scheduled=false",
    "airlock.inventory.scheduled=false",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LifecycleCostIntegrationTest {

  static final int USERS = 400;

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired IdentityService identity;
  @Autowired InventoryService inventory;
  @Autowired AirlockProperties properties;
  @Autowired ProcessEngineConfigurationImpl engine;
  @Autowired JdbcTemplate jdbc;
  @Autowired TransactionTemplate transactions;

  ApiClient api;

  @BeforeAll
  void users() {
    api = new ApiClient(port);
    // Each user of Camunda's own store brings an authorization row of its own (on itself).
    for (int i = 0; i < USERS; i++) {
      addUser(String.format("cost-user-%03d", i));
    }
    inventory.scan("test");
    jdbc.execute("ANALYZE act_ru_authorization");
  }

  private void addUser(String name) {
    People.addRequester(sandbox, identity, properties.groups().requesters(), name, "Cost", name);
  }

  @Test
  void aSubmitsAuthorizationChecksProbeTheCallersGroupsInsteadOfReadingTheWholeAuthorizationTable() {
    assertThat(jdbc.queryForObject("SELECT count(*) FROM act_ru_authorization", Long.class)).isGreaterThan(USERS);

    // In one transaction on one connection: PostgreSQL's counters of this backend, before and after.
    Map<String, Long> scans = transactions.execute(status -> {
      Map<String, Long> before = seqScans();
      identity.setAuthentication("cost-user-001", List.of(properties.groups().requesters(), "no-such-group"));
      try {
        // The checks a submit makes when it starts the process as the requester, each its own command.
        boolean mayCreate = engine.getCommandExecutorTxRequired().execute(ctx -> ctx.getAuthorizationManager()
            .isAuthorized(Permissions.CREATE, Resources.PROCESS_INSTANCE, null));
        boolean mayStart = engine.getCommandExecutorTxRequired().execute(ctx -> ctx.getAuthorizationManager()
            .isAuthorized(ProcessDefinitionPermissions.CREATE_INSTANCE, Resources.PROCESS_DEFINITION,
                AccessRequestModel.PROCESS_KEY));
        assertThat(mayCreate && mayStart).as("a requester may start an access request").isTrue();
      } finally {
        identity.clearAuthentication();
      }
      Map<String, Long> after = seqScans();
      after.replaceAll((k, v) -> v - before.get(k));
      return after;
    });
    assertThat(scans).containsEntry("seq_scan", 0L).containsEntry("seq_tup_read", 0L);
  }

  /** This backend's counters not yet published (this transaction's, and earlier ones' still pending). */
  private Map<String, Long> seqScans() {
    Map<String, Long> m = new LinkedHashMap<>();
    jdbc.query("SELECT seq_scan, seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'act_ru_authorization'",
        rs -> {
          m.put("seq_scan", rs.getLong(1));
          m.put("seq_tup_read", rs.getLong(2));
        });
    return m;
  }

  @Test
  void theGroupFilterFindsExactlyTheGroupsCamundaWouldFind() {
    Set<String> withRows = new TreeSet<>(jdbc.queryForList(
        "SELECT DISTINCT group_id_ FROM act_ru_authorization WHERE group_id_ IS NOT NULL", String.class));
    assertThat(withRows).contains(properties.groups().requesters(), properties.groups().approvers());
    List<List<String>> asked = List.of(
        List.of(properties.groups().requesters()),
        List.of(properties.groups().requesters(), properties.groups().approvers(), "no-such-group"),
        List.of("no-such-group", "nor-this-one"),
        new ArrayList<>(withRows));
    for (List<String> groups : asked) {
      List<String> filtered = engine.getCommandExecutorTxRequired().execute(ctx -> {
        AuthorizationManager manager = ctx.getAuthorizationManager();
        return manager.filterAuthenticatedGroupIds(groups);
      });
      Set<String> camunda = new TreeSet<>(groups);
      camunda.retainAll(withRows);
      assertThat(new TreeSet<>(filtered)).as("groups %s", groups).isEqualTo(camunda);
    }
  }

  @Test
  void awsIsAskedForTheUserIdOnceAndThatIdIsGrantedAndRevoked() {
    // A user created in Identity Center after the last inventory scan: only AWS knows the id.
    addUser("cost-late-user");
    String userId = sandbox.state().userIdByName("cost-late-user");
    long before = sandbox.state().callCount("GetUserId");

    String id = lifecycle("cost-late-user");

    assertThat(sandbox.state().callCount("GetUserId") - before).as("GetUserId calls for one lifecycle").isEqualTo(1);
    assertThat(callsFor(userId)).extracting(AssignmentCall::operation)
        .containsExactly("CreateAccountAssignment", "DeleteAccountAssignment");
    assertThat(callsFor(userId)).allSatisfy(c -> {
      assertThat(c.permissionSetArn()).isEqualTo(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN);
      assertThat(c.accountId()).isEqualTo(DemoOrganization.SANDBOX_ACCOUNT_ID);
    });
    assertThat(api.get("cost-late-user", "/api/requests/" + id).body().path("status").asText()).isEqualTo("REVOKED");

    // A user the inventory knows: no call at all.
    long again = sandbox.state().callCount("GetUserId");
    lifecycle("cost-user-002");
    assertThat(sandbox.state().callCount("GetUserId") - again).isZero();
    assertThat(callsFor(sandbox.state().userIdByName("cost-user-002"))).hasSize(2);
  }

  private String lifecycle(String user) {
    Reply r = api.post(user, "/api/requests", People.request(DemoOrganization.SANDBOX_ACCOUNT_ID, user,
        "ReadOnlyAccess", "PT1S", "Lifecycle cost test"));
    assertThat(r.status()).as(r.raw()).isEqualTo(201);
    assertThat(r.body().path("status").asText()).isNotEqualTo("PENDING_REVIEW");
    String id = r.body().get("id").asText();
    api.awaitStatus(id, "REVOKED");
    return id;
  }

  private List<AssignmentCall> callsFor(String principalId) {
    return sandbox.state().assignmentCalls().stream().filter(c -> principalId.equals(c.principalId())).toList();
  }
}
