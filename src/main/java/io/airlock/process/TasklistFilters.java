package io.airlock.process;

import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.FilterService;
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
 * are kept): reviews waiting for me, break-glass reviews, my active access, assigned to me, all tasks. They are
 * shared, owned by nobody, and read by the groups that read filters (see GroupAuthorizations);
 * each shows only tasks its reader may see anyway.
 */
@Component
class TasklistFilters {

  private static final Logger log = LoggerFactory.getLogger(TasklistFilters.class);

  static final String REVIEWS = "Reviews waiting for me";
  static final String BREAK_GLASS = "Break-glass reviews";
  static final String MY_ACCESS = "My active access";
  static final String ASSIGNED = "Assigned to me";
  static final String ALL = "All tasks";

  private final FilterService filters;
  private final TaskService tasks;

  TasklistFilters(FilterService filters, TaskService tasks) {
    this.filters = filters;
    this.tasks = tasks;
  }

  @EventListener(ApplicationReadyEvent.class)
  void create() {
    create(REVIEWS, -10, "#b5152b", "Reviews of your groups, break-glass first, then oldest first",
        tasks.createTaskQuery().taskCandidateGroupInExpression("${currentUserGroups()}").includeAssignedTasks()
            .orderByTaskPriority().desc().orderByTaskCreateTime().asc());
    create(BREAK_GLASS, -5, "#e8a200", "Access granted as an emergency, to be reviewed after the fact",
        tasks.createTaskQuery().taskDefinitionKey(AccessRequestProcess.Elements.TASK_REVIEW_BREAK_GLASS)
            .taskCandidateGroupInExpression("${currentUserGroups()}").includeAssignedTasks()
            .orderByTaskCreateTime().asc());
    create(MY_ACCESS, -8, "#2e7d32", "Access you hold now, ending first on top: end it or ask for more time",
        tasks.createTaskQuery().processDefinitionKey(AccessRequestProcess.PROCESS_KEY)
            .taskDefinitionKey(AccessRequestProcess.Elements.TASK_MANAGE_ACCESS)
            .taskAssigneeExpression("${currentUser()}").orderByDueDate().asc());
    create(ASSIGNED, 0, "#3c85c9", "Tasks you claimed", tasks.createTaskQuery()
        .taskAssigneeExpression("${currentUser()}").orderByDueDate().asc());
    create(ALL, 10, "#555555", "Every task you may see", tasks.createTaskQuery().orderByTaskCreateTime().desc());
  }

  private void create(String name, int priority, String color, String description, TaskQuery query) {
    if (filters.createFilterQuery().filterName(name).count() > 0) {
      return;
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
  }
}
