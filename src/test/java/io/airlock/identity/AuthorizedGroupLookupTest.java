package io.airlock.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.StandaloneInMemProcessEngineConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The group filter on H2, the embedded default (the integration tests run on PostgreSQL):
 * Camunda's checks with {@link AuthorizedGroupLookup} still honour a group's grants and revokes.
 */
class AuthorizedGroupLookupTest {

  static ProcessEngine engine;
  static ProcessEngineConfigurationImpl configuration;

  @BeforeAll
  static void engine() {
    StandaloneInMemProcessEngineConfiguration c = new StandaloneInMemProcessEngineConfiguration();
    c.setJdbcUrl("jdbc:h2:mem:authorized-groups;DB_CLOSE_DELAY=-1");
    c.setProcessEngineName("authorized-groups");
    c.setAuthorizationEnabled(true);
    c.setJobExecutorActivate(false);
    c.setProcessEnginePlugins(List.of(new AuthorizedGroupLookup()));
    configuration = c;
    engine = c.buildProcessEngine();
    AuthorizationService auth = engine.getAuthorizationService();
    // Everybody may read every process definition; one group is refused that again, one granted more.
    save(auth, Authorization.AUTH_TYPE_GLOBAL, null, Permissions.READ);
    save(auth, Authorization.AUTH_TYPE_REVOKE, "revoked", Permissions.READ);
    save(auth, Authorization.AUTH_TYPE_GRANT, "granted", Permissions.UPDATE);
  }

  private static void save(AuthorizationService auth, int type, String group, Permissions permission) {
    Authorization a = auth.createNewAuthorization(type);
    if (group == null) {
      a.setUserId(Authorization.ANY);
    } else {
      a.setGroupId(group);
    }
    a.setResource(Resources.PROCESS_DEFINITION);
    a.setResourceId(Authorization.ANY);
    if (type == Authorization.AUTH_TYPE_REVOKE) {
      a.removePermission(permission);
    } else {
      a.addPermission(permission);
    }
    auth.saveAuthorization(a);
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  @Test
  void theEngineUsesTheProbingManager() {
    List<String> found = configuration.getCommandExecutorTxRequired().execute(ctx -> {
      assertThat(ctx.getAuthorizationManager()).isInstanceOf(AuthorizedGroupLookup.GroupProbingAuthorizationManager.class);
      return ctx.getAuthorizationManager().filterAuthenticatedGroupIds(List.of("granted", "nobody", "revoked", "granted"));
    });
    assertThat(found).containsExactlyInAnyOrder("granted", "revoked");
  }

  @Test
  void aGroupsRevokeAndGrantStillCount() {
    AuthorizationService auth = engine.getAuthorizationService();
    assertThat(auth.isUserAuthorized("u", List.of("other"), Permissions.READ, Resources.PROCESS_DEFINITION, "p")).isTrue();
    assertThat(auth.isUserAuthorized("u", List.of("other", "revoked"), Permissions.READ, Resources.PROCESS_DEFINITION, "p"))
        .isFalse();
    assertThat(auth.isUserAuthorized("u", List.of("other"), Permissions.UPDATE, Resources.PROCESS_DEFINITION, "p")).isFalse();
    assertThat(auth.isUserAuthorized("u", List.of("granted"), Permissions.UPDATE, Resources.PROCESS_DEFINITION, "p")).isTrue();
  }
}
