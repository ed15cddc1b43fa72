package io.airlock.process;

import io.airlock.activity.ActivityReviewNotes;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.task.Task;
import org.springframework.stereotype.Component;

/**
 * Puts a grant's session activity where its break-glass review happens: the open "Review
 * break-glass access" task of the request gets the summary at the end of its description
 * (Tasklist shows it) and as the task variable {@value #VARIABLE}. Written by Airlock itself
 * (no caller's authorization), in the transaction that stores the fetch; read from what Airlock
 * fetched, never from a variable.
 */
@Component
class BreakGlassActivityNotes implements ActivityReviewNotes {

  static final String VARIABLE = "sessionActivity";
  static final String MARKER = "\n\nSession activity: ";

  private final TaskService tasks;
  private final IdentityService identity;

  BreakGlassActivityNotes(TaskService tasks, IdentityService identity) {
    this.tasks = tasks;
    this.identity = identity;
  }

  @Override
  public void show(String requestId, String summary) {
    Authentication previous = identity.getCurrentAuthentication();
    identity.clearAuthentication();
    try {
      for (Task task : tasks.createTaskQuery().processInstanceBusinessKey(requestId)
          .taskDefinitionKey(AccessRequestModel.Elements.TASK_REVIEW_BREAK_GLASS).active().list()) {
        String description = task.getDescription() == null ? "" : task.getDescription();
        int at = description.indexOf(MARKER);
        String base = at < 0 ? description : description.substring(0, at);
        String text = base + MARKER + summary;
        task.setDescription(text.length() > 4000 ? text.substring(0, 4000) : text);
        tasks.saveTask(task);
        tasks.setVariableLocal(task.getId(), VARIABLE, summary);
      }
    } finally {
      if (previous != null) {
        identity.setAuthentication(previous);
      }
    }
  }
}
