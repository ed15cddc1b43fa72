package io.airlock.process;

import io.airlock.config.AirlockProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.filter.Filter;
import org.camunda.bpm.engine.task.TaskQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tasklist's filters for Airlock's people, created once at start (an operator's later edits
 * are kept): reviews waiting for me, break-glass reviews, my active access, policy proposals, assigned to me,
 * all tasks. They are
 * shared, owned by nobody, and each is read by the groups it is for, made exactly so at every
 * start (READ on that filter): approvers read all five, requesters only "My active access",
 * "Assigned to me" and "All tasks", so a requester's Tasklist shows no reviewers' filters. Each
 * filter shows only tasks its reader may see anyway.
 */
@Component
class TasklistFilters {

  private static final Logger log = LoggerFactory.getLogger(TasklistFilters.class);

  static final String REVIEWS = "Reviews waiting for me";
  static final String BREAK_GLASS = "Break-glass reviews";
  static final String MY_ACCESS = "My active access";
  static final String ASSIGNED = "Assigned to me";
  static final String ALL = "All tasks";
  static final String PROPOSALS = "Policy proposals";

  private final FilterService filters;
  private final TaskService tasks;
  private final AuthorizationService authorizations;
  private final AirlockProperties.Groups groups;

  TasklistFilters(FilterService filters, TaskService tasks, AuthorizationService authorizations,
      AirlockProperties properties) {
    this.filters = filters;
    this.tasks = tasks;
    this.authorizations = authorizations;
    this.groups = properties.groups();
  }

  @EventListener(ApplicationReadyEvent.class)
  void create() {
    List<String> everyone = List.of(groups.approvers(), groups.requesters());
    List<String> reviewers = List.of(groups.approvers());
    // The security group reviews changes to Airlock's groups: their tasks are in this one too.
    readBy(create(REVIEWS, -10, "#b5152b", "Reviews of your groups, break-glass first, then oldest first",
        tasks.createTaskQuery().taskCandidateGroupInExpression("${currentUserGroups()}").includeAssignedTasks()
            .orderByTaskPriority().desc().orderByTaskCreateTime().asc()),
        List.of(groups.approvers(), groups.security()));
    readBy(create(BREAK_GLASS, -5, "#e8a200", "Access granted as an emergency, to be reviewed after the fact",
        tasks.createTaskQuery().taskDefinitionKey(AccessRequestModel.Elements.TASK_REVIEW_BREAK_GLASS)
            .taskCandidateGroupInExpression("${currentUserGroups()}").includeAssignedTasks()
            .orderByTaskCreateTime().asc()), reviewers);
    readBy(create(MY_ACCESS, -8, "#2e7d32", "Access you hold now, ending first on top: end it or ask for more time",
        tasks.createTaskQuery().processDefinitionKey(AccessRequestModel.PROCESS_KEY)
            .taskDefinitionKey(AccessRequestModel.Elements.TASK_MANAGE_ACCESS)
            .taskAssigneeExpression("${currentUser()}").orderByDueDate().asc()), everyone);
    List<String> policy = List.of(groups.policyApprovers());
    readBy(create(PROPOSALS, -9, "#6a1b9a", "Policy changes waiting for a second person, oldest first",
        tasks.createTaskQuery().processDefinitionKey(PolicyProposalModel.PROCESS_KEY)
            .taskDefinitionKey(PolicyProposalModel.Elements.TASK_REVIEW)
            .taskCandidateGroupInExpression("${currentUserGroups()}").includeAssignedTasks()
            .orderByTaskCreateTime().asc()), policy);
    List<String> all = List.of(groups.approvers(), groups.requesters(), groups.policyApprovers());
    readBy(create(ASSIGNED, 0, "#3c85c9", "Tasks you claimed", tasks.createTaskQuery()
        .taskAssigneeExpression("${currentUser()}").orderByDueDate().asc()), all);
    readBy(create(ALL, 10, "#555555", "Every task you may see", tasks.createTaskQuery().orderByTaskCreateTime().desc()),
        all);
  }

  /**
   * Exactly {@code readers} of Airlock's groups (requesters, approvers, policy approvers, security)
   * read the filter: missing grants are made, a grant to another one (e.g. left by an older
   * version) is removed.
   */
  private void readBy(String filterId, List<String> readers) {
    for (String group : List.of(groups.requesters(), groups.approvers(), groups.policyApprovers(), groups.security())) {
      List<Authorization> held = authorizations.createAuthorizationQuery().groupIdIn(group)
          .resourceType(Resources.FILTER).resourceId(filterId).list();
      if (readers.contains(group) && held.isEmpty()) {
        Authorization read = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
        read.setGroupId(group);
        read.setResource(Resources.FILTER);
        read.setResourceId(filterId);
        read.addPermission(Permissions.READ);
        authorizations.saveAuthorization(read);
      } else if (!readers.contains(group)) {
        held.forEach(a -> authorizations.deleteAuthorization(a.getId()));
      }
    }
  }

  /** The filter's id: created now, or as it is (an operator's later edits are kept). */
  private String create(String name, int priority, String color, String description, TaskQuery query) {
    Filter existing = filters.createFilterQuery().filterName(name).singleResult();
    if (existing != null) {
      return existing.getId();
    }
    Filter filter = filters.newTaskFilter(name);
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("priority", priority);
    properties.put("color", color);
    properties.put("description", description);
    properties.put("refresh", true);
    filter.setProperties(properties);
    filter.setQuery(query);
    filters.saveFilter(filter);
    log.info("Created the Tasklist filter '{}'", name);
    return filter.getId();
  }
}
