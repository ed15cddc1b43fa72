package io.airlock.identity;

import io.airlock.config.AirlockProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Airlock's groups ({@code airlock.groups.*}) in the embedded user store, created at every start
 * when missing, whatever AWS is (sandbox or real): a first deployment needs no hand-made groups
 * before {@code POST /api/memberships} can name them. An existing group is left as it is. With
 * Keycloak the engine's identity is read-only and the groups are Keycloak's: nothing here.
 * Their authorizations are {@link GroupAuthorizations}'. Runs as Airlock itself (no signed-in
 * user), so {@link GroupMembershipGuard} does not refuse it.
 */
@Component
@Profile("!keycloak")
class AirlockGroups extends AbstractProcessEnginePlugin {

  private static final Logger log = LoggerFactory.getLogger(AirlockGroups.class);

  private final AirlockProperties.Groups groups;

  AirlockGroups(AirlockProperties properties) {
    this.groups = properties.groups();
  }

  /** Group id → the name a new group gets; a group named in two roles is created once. */
  Map<String, String> wanted() {
    Map<String, String> m = new LinkedHashMap<>();
    m.putIfAbsent(groups.requesters(), "Airlock requesters");
    m.putIfAbsent(groups.approvers(), "Airlock approvers");
    m.putIfAbsent(groups.operators(), "Airlock operators");
    m.putIfAbsent(groups.auditors(), "Airlock auditors");
    m.putIfAbsent(groups.admins(), "Camunda administrators");
    m.putIfAbsent(groups.policyAuthors(), "Airlock policy authors");
    m.putIfAbsent(groups.policyApprovers(), "Airlock policy approvers");
    m.putIfAbsent(groups.security(), "Airlock security");
    return m;
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    ensure(engine.getIdentityService());
  }

  /** Creates the missing groups; idempotent. */
  void ensure(IdentityService identity) {
    List<String> created = new java.util.ArrayList<>();
    wanted().forEach((id, name) -> {
      if (identity.createGroupQuery().groupId(id).count() == 0) {
        Group group = identity.newGroup(id);
        group.setName(name);
        group.setType("WORKFLOW");
        identity.saveGroup(group);
        created.add(id);
      }
    });
    if (!created.isEmpty()) {
      log.info("Airlock's groups created: {}", created);
    }
  }
}
