package io.airlock.identity;

import static org.camunda.bpm.engine.authorization.Authorization.ANY;
import static org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT;

import io.airlock.config.AirlockProperties;
import io.airlock.process.AccessRequestModel;
import io.airlock.process.GroupMembershipModel;
import io.airlock.process.InventoryScanModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.BatchPermissions;
import org.camunda.bpm.engine.authorization.HistoricProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.HistoricTaskPermissions;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.ProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.authorization.TaskPermissions;
import org.camunda.bpm.engine.authorization.UserOperationLogCategoryPermissions;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.persistence.entity.AuthorizationEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Camunda authorizations of Airlock's roles, least privilege, made exactly so at every start
 * (idempotent), for Camunda's own groups and Keycloak groups alike:
 * <ul>
 *   <li>requesters: Tasklist; read and start {@code access-request}; nothing on running instances;
 *       Tasklist's filters for them only ({@code process.TasklistFilters} grants each filter's
 *       readers: requesters do not see the reviewers' filters);
 *   <li>approvers: Tasklist; read {@code access-request} (forms); review tasks come through
 *       candidate groups, with the engine's default task permission set to {@code TASK_WORK}
 *       ({@code defaultUserPermissionNameForTask} in application.yaml): claim and complete, but
 *       no variables, assignment or task updates; requester ≠ approver is the review guard's;
 *   <li>operators: Cockpit; read everything, retry jobs (one by one or as a batch); start the drift
 *       reconciliation ({@code inventory-scan}, also from Tasklist); nothing that changes
 *       variables, tokens, suspension, deployments or messages;
 *   <li>auditors: Cockpit read-only, history and the operation log included;
 *   <li>policy authors: create deployments (Camunda Modeler's Deploy button) and read deployments
 *       and definitions; nothing on instances, tasks or history. What they may deploy, and that
 *       nobody else may (admins included), is {@code process.PolicyDeployments}' rule;
 *   <li>security: Tasklist, to review changes to Airlock's groups ({@code group-membership-change});
 *   <li>admins: everything the engine has (Airlock's own guards still refuse them what is not
 *       theirs: deploying models, reviewing what they asked for, changing Airlock's groups alone).
 * </ul>
 * "Exactly": for each of these groups, an authorization that is not in the list below (left by
 * an older version, or added in Camunda Admin) is removed and one with other permissions is
 * set to the wanted ones. Only the engine's own grants are left alone: per task, READ and
 * TASK_WORK to its candidate groups ({@code TASK} and {@code HISTORIC_TASK} with a task id), and
 * READ on a group to its members ({@code GROUP} with the group's own id).
 */
@Component
class GroupAuthorizations extends AbstractProcessEnginePlugin {

  private static final Logger log = LoggerFactory.getLogger(GroupAuthorizations.class);

  private final AirlockProperties.Groups groups;

  GroupAuthorizations(AirlockProperties properties) {
    this.groups = properties.groups();
  }

  /** What one group may do on one resource (a type and an id or {@code *}). */
  record Grant(String group, Resource resource, String resourceId, Set<Permission> permissions) {}

  /** The whole wanted state; a group named in several roles gets the union. */
  List<Grant> wanted() {
    String processKey = AccessRequestModel.PROCESS_KEY;
    List<Grant> g = new ArrayList<>();

    String requesters = groups.requesters();
    g.add(grant(requesters, Resources.APPLICATION, "tasklist", Permissions.ACCESS));
    g.add(grant(requesters, Resources.PROCESS_DEFINITION, processKey,
        ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.CREATE_INSTANCE));
    g.add(grant(requesters, Resources.PROCESS_INSTANCE, ANY, ProcessInstancePermissions.CREATE));

    String approvers = groups.approvers();
    g.add(grant(approvers, Resources.APPLICATION, "tasklist", Permissions.ACCESS));
    g.add(grant(approvers, Resources.PROCESS_DEFINITION, processKey, ProcessDefinitionPermissions.READ));

    for (String reader : List.of(groups.operators(), groups.auditors())) {
      g.add(grant(reader, Resources.APPLICATION, "cockpit", Permissions.ACCESS));
      g.add(grant(reader, Resources.DECISION_DEFINITION, ANY, Permissions.READ, Permissions.READ_HISTORY));
      g.add(grant(reader, Resources.DECISION_REQUIREMENTS_DEFINITION, ANY, Permissions.READ));
      g.add(grant(reader, Resources.DEPLOYMENT, ANY, Permissions.READ));
      g.add(grant(reader, Resources.PROCESS_INSTANCE, ANY, ProcessInstancePermissions.READ));
      g.add(grant(reader, Resources.TASK, ANY, TaskPermissions.READ));
      g.add(grant(reader, Resources.HISTORIC_PROCESS_INSTANCE, ANY, HistoricProcessInstancePermissions.READ));
      g.add(grant(reader, Resources.HISTORIC_TASK, ANY, HistoricTaskPermissions.READ));
      g.add(grant(reader, Resources.OPERATION_LOG_CATEGORY, ANY, UserOperationLogCategoryPermissions.READ));
    }
    g.add(grant(groups.auditors(), Resources.PROCESS_DEFINITION, ANY,
        ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.READ_HISTORY,
        ProcessDefinitionPermissions.READ_INSTANCE, ProcessDefinitionPermissions.READ_TASK));
    g.add(grant(groups.auditors(), Resources.BATCH, ANY, BatchPermissions.READ, BatchPermissions.READ_HISTORY));

    String operators = groups.operators();
    g.add(grant(operators, Resources.PROCESS_DEFINITION, ANY,
        ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.READ_HISTORY,
        ProcessDefinitionPermissions.READ_INSTANCE, ProcessDefinitionPermissions.READ_TASK,
        ProcessDefinitionPermissions.RETRY_JOB));
    g.add(grant(operators, Resources.PROCESS_INSTANCE, ANY,
        ProcessInstancePermissions.READ, ProcessInstancePermissions.RETRY_JOB));
    // Drift reconciliation on demand (bpmn/inventory-scan.bpmn), in Tasklist or over the engine REST API:
    // CREATE on instances with CREATE_INSTANCE on this one definition only.
    g.add(grant(operators, Resources.APPLICATION, "tasklist", Permissions.ACCESS));
    g.add(grant(operators, Resources.PROCESS_DEFINITION, InventoryScanModel.PROCESS_KEY,
        ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.CREATE_INSTANCE));
    g.add(grant(operators, Resources.PROCESS_INSTANCE, ANY, ProcessInstancePermissions.CREATE));
    g.add(grant(operators, Resources.BATCH, ANY,
        BatchPermissions.READ, BatchPermissions.READ_HISTORY, BatchPermissions.CREATE_BATCH_SET_JOB_RETRIES));

    // The security group reviews changes to Airlock's groups (bpmn/group-membership-change.bpmn) in
    // Tasklist: the task itself through its candidate groups (the engine's per-task grant).
    String security = groups.security();
    g.add(grant(security, Resources.APPLICATION, "tasklist", Permissions.ACCESS));
    g.add(grant(security, Resources.PROCESS_DEFINITION, GroupMembershipModel.PROCESS_KEY,
        ProcessDefinitionPermissions.READ));

    String authors = groups.policyAuthors();
    g.add(grant(authors, Resources.DEPLOYMENT, ANY, Permissions.CREATE, Permissions.READ));
    g.add(grant(authors, Resources.PROCESS_DEFINITION, ANY, ProcessDefinitionPermissions.READ));
    g.add(grant(authors, Resources.DECISION_DEFINITION, ANY, Permissions.READ));
    g.add(grant(authors, Resources.DECISION_REQUIREMENTS_DEFINITION, ANY, Permissions.READ));

    // Policy approvers review proposals in Tasklist (the task's candidate group gives them the task
    // itself) and read the proposed files and the policy in force in Cockpit; they deploy nothing.
    String policyApprovers = groups.policyApprovers();
    g.add(grant(policyApprovers, Resources.APPLICATION, "tasklist", Permissions.ACCESS));
    g.add(grant(policyApprovers, Resources.APPLICATION, "cockpit", Permissions.ACCESS));
    g.add(grant(policyApprovers, Resources.DEPLOYMENT, ANY, Permissions.READ));
    g.add(grant(policyApprovers, Resources.PROCESS_DEFINITION, ANY, ProcessDefinitionPermissions.READ));
    g.add(grant(policyApprovers, Resources.DECISION_DEFINITION, ANY, Permissions.READ));
    g.add(grant(policyApprovers, Resources.DECISION_REQUIREMENTS_DEFINITION, ANY, Permissions.READ));

    for (Resources resource : Resources.values()) {
      g.add(grant(groups.admins(), resource, ANY, Permissions.ALL));
    }
    return g;
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    AuthorizationService auth = engine.getAuthorizationService();
    Map<Key, Integer> wanted = new LinkedHashMap<>();
    for (Grant grant : wanted()) {
      wanted.merge(new Key(grant.group(), grant.resource().resourceType(), grant.resourceId()),
          mask(grant.permissions()), (a, b) -> a | b);
    }
    String[] managed = wanted.keySet().stream().map(Key::group).distinct().toArray(String[]::new);

    int created = 0;
    int updated = 0;
    int removed = 0;
    Set<Key> present = new LinkedHashSet<>();
    for (Authorization existing : auth.createAuthorizationQuery().groupIdIn(managed).list()) {
      Key key = new Key(existing.getGroupId(), existing.getResourceType(), existing.getResourceId());
      if (isEngineDefault(key)) {
        continue;
      }
      Integer mask = wanted.get(key);
      if (mask == null || existing.getAuthorizationType() != AUTH_TYPE_GRANT) {
        auth.deleteAuthorization(existing.getId());
        log.info("Removed authorization of group {} on resource type {} id {} (permissions {}): not wanted",
            key.group(), key.resourceType(), key.resourceId(), ((AuthorizationEntity) existing).getPermissions());
        removed++;
        continue;
      }
      present.add(key);
      AuthorizationEntity entity = (AuthorizationEntity) existing;
      if (entity.getPermissions() != mask) {
        entity.setPermissions(mask);
        auth.saveAuthorization(entity);
        updated++;
      }
    }
    for (Map.Entry<Key, Integer> w : wanted.entrySet()) {
      if (!present.contains(w.getKey())) {
        AuthorizationEntity a = (AuthorizationEntity) auth.createNewAuthorization(AUTH_TYPE_GRANT);
        a.setGroupId(w.getKey().group());
        a.setResourceType(w.getKey().resourceType());
        a.setResourceId(w.getKey().resourceId());
        a.setPermissions(w.getValue());
        auth.saveAuthorization(a);
        created++;
      }
    }
    int tasks = downgradeOpenTaskAuthorizations(engine);
    log.info("Authorizations of groups {} in place: {} created, {} changed, {} removed; {} open tasks' "
        + "candidate and assignee grants changed from UPDATE to TASK_WORK", List.of(managed), created, updated,
        removed, tasks);
  }

  /**
   * Review tasks created while the default task permission was UPDATE keep it in their own
   * authorizations: on a start with TASK_WORK configured, the engine's own grants of open tasks
   * (READ and UPDATE, with or without READ_VARIABLE) get TASK_WORK instead of UPDATE.
   */
  private static int downgradeOpenTaskAuthorizations(ProcessEngine engine) {
    ProcessEngineConfigurationImpl config = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
    if (config.getDefaultUserPermissionForTask() != Permissions.TASK_WORK) {
      return 0;
    }
    int read = TaskPermissions.READ.getValue();
    int update = TaskPermissions.UPDATE.getValue();
    Set<Integer> engineDefaults = Set.of(read | update, read | update | TaskPermissions.READ_VARIABLE.getValue());
    AuthorizationService auth = engine.getAuthorizationService();
    int changed = 0;
    for (Authorization a : auth.createAuthorizationQuery().authorizationType(AUTH_TYPE_GRANT)
        .resourceType(Resources.TASK).hasPermission(TaskPermissions.UPDATE).list()) {
      AuthorizationEntity entity = (AuthorizationEntity) a;
      if (!ANY.equals(a.getResourceId()) && engineDefaults.contains(entity.getPermissions())) {
        entity.setPermissions(entity.getPermissions() & ~update | TaskPermissions.TASK_WORK.getValue());
        auth.saveAuthorization(entity);
        changed++;
      }
    }
    return changed;
  }

  private record Key(String group, int resourceType, String resourceId) {}

  /**
   * The grants the engine makes itself: a review task's candidate groups on that task, and a
   * group's members on the group (created with the group, in Camunda Admin or by DemoUsers).
   */
  private static boolean isEngineDefault(Key key) {
    if (ANY.equals(key.resourceId())) {
      return false;
    }
    // Tasklist's filters: READ per filter and group, set by process.TasklistFilters once the filters exist.
    return key.resourceType() == Resources.FILTER.resourceType()
        || key.resourceType() == Resources.TASK.resourceType()
        || key.resourceType() == Resources.HISTORIC_TASK.resourceType()
        || key.resourceType() == Resources.GROUP.resourceType() && key.resourceId().equals(key.group());
  }

  private static int mask(Set<Permission> permissions) {
    int mask = 0;
    for (Permission p : permissions) {
      mask |= p.getValue();
    }
    return mask;
  }

  private static Grant grant(String group, Resource resource, String resourceId, Permission... permissions) {
    return new Grant(group, resource, resourceId, Set.of(permissions));
  }
}
