package io.airlock.identity;

import static org.camunda.bpm.engine.authorization.Authorization.ANY;
import static org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT;

import io.airlock.config.AirlockProperties;
import io.airlock.process.AccessRequestProcess;
import java.util.List;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.ProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Camunda authorizations of Airlock's roles, kept in place at every start (idempotent), for
 * Camunda's own groups and Keycloak groups alike:
 * <ul>
 *   <li>requesters: Tasklist, start "Request AWS access", see their own instances' forms;
 *   <li>approvers: Tasklist; review tasks come through candidate groups (engine default task
 *       permissions), requester ≠ approver is enforced by the review guard;
 *   <li>operators: Cockpit with read, retry and modify rights on processes and decisions;
 *   <li>auditors: Cockpit read-only, history included;
 *   <li>admins: everything.
 * </ul>
 */
@Component
class GroupAuthorizations extends AbstractProcessEnginePlugin {

  private static final Logger log = LoggerFactory.getLogger(GroupAuthorizations.class);

  private final AirlockProperties.Groups groups;

  GroupAuthorizations(AirlockProperties properties) {
    this.groups = properties.groups();
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    AuthorizationService auth = engine.getAuthorizationService();
    String processKey = AccessRequestProcess.PROCESS_KEY;

    for (String group : List.of(groups.requesters(), groups.approvers())) {
      grant(auth, group, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
      grant(auth, group, Resources.FILTER, ANY, Permissions.READ);
    }
    grant(auth, groups.requesters(), Resources.PROCESS_DEFINITION, processKey,
        ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.CREATE_INSTANCE);
    grant(auth, groups.requesters(), Resources.PROCESS_INSTANCE, ANY, ProcessInstancePermissions.CREATE);
    grant(auth, groups.approvers(), Resources.PROCESS_DEFINITION, processKey,
        ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.READ_HISTORY);

    for (String group : List.of(groups.operators(), groups.auditors())) {
      grant(auth, group, Resources.APPLICATION, "cockpit", Permissions.ACCESS);
      grant(auth, group, Resources.DECISION_DEFINITION, ANY, Permissions.READ, Permissions.READ_HISTORY);
      grant(auth, group, Resources.DECISION_REQUIREMENTS_DEFINITION, ANY, Permissions.READ);
      grant(auth, group, Resources.DEPLOYMENT, ANY, Permissions.READ);
    }
    grant(auth, groups.auditors(), Resources.PROCESS_DEFINITION, ANY,
        ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.READ_HISTORY,
        ProcessDefinitionPermissions.READ_INSTANCE, ProcessDefinitionPermissions.READ_TASK);
    grant(auth, groups.auditors(), Resources.PROCESS_INSTANCE, ANY, ProcessInstancePermissions.READ);
    grant(auth, groups.operators(), Resources.PROCESS_DEFINITION, ANY, Permissions.ALL);
    grant(auth, groups.operators(), Resources.PROCESS_INSTANCE, ANY, Permissions.ALL);
    grant(auth, groups.operators(), Resources.TASK, ANY, Permissions.READ);
    grant(auth, groups.operators(), Resources.BATCH, ANY, Permissions.ALL);

    for (Resources resource : Resources.values()) {
      grant(auth, groups.admins(), resource, ANY, Permissions.ALL);
    }
    log.info("Authorizations in place for groups {}", List.of(groups.requesters(), groups.approvers(),
        groups.operators(), groups.auditors(), groups.admins()));
  }

  private static void grant(AuthorizationService auth, String group, Resource resource, String resourceId,
      Permission... permissions) {
    Authorization existing = auth.createAuthorizationQuery()
        .groupIdIn(group).resourceType(resource).resourceId(resourceId).singleResult();
    Authorization a = existing != null ? existing : auth.createNewAuthorization(AUTH_TYPE_GRANT);
    if (existing == null) {
      a.setGroupId(group);
      a.setResource(resource);
      a.setResourceId(resourceId);
    }
    boolean changed = existing == null;
    for (Permission p : permissions) {
      if (!a.isPermissionGranted(p)) {
        a.addPermission(p);
        changed = true;
      }
    }
    if (changed) {
      auth.saveAuthorization(a);
    }
  }
}
