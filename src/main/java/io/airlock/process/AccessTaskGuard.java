package io.airlock.process;

import static io.airlock.process.AccessRequestModel.Variables.ACCESS_ACTION;
import static io.airlock.process.AccessRequestModel.Variables.ACCESS_REASON;
import static io.airlock.process.AccessRequestModel.Variables.EXTEND_BY;
import static io.airlock.process.AccessRequestModel.Variables.GRANT_END;

import io.airlock.audit.AuditLog;
import io.airlock.request.AccessLifecycle;
import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.ProcessStep;
import io.airlock.request.RequestChanges;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * Assignment and complete listener of "Manage active access" ("Your access: ..."), however the
 * task is handled (Tasklist, the engine REST API):
 * <ul>
 *   <li>assignment: the task stays with the principal; claiming, reassigning, delegating or
 *       unclaiming it is refused (403, audited), an admin's included;
 *   <li>complete: the use case checks that the signed-in user is the principal and the choice is
 *       END_NOW or EXTEND, and records it (an early revoke, or a rework through policy and
 *       review). The process routes by the checked choice, and the expiry timer of the next round
 *       by the stored grant end: variables sent with the completion are never trusted.
 * </ul>
 * Throwing rolls the assignment or completion back, and Tasklist shows the message.
 */
@Component("accessTaskGuard")
class AccessTaskGuard implements TaskListener {

  private final AccessLifecycle lifecycle;
  private final RequestChanges changes;
  private final AuditLog audit;
  private final IdentityService identity;

  AccessTaskGuard(AccessLifecycle lifecycle, @Lazy RequestChanges changes, AuditLog audit, IdentityService identity) {
    this.lifecycle = lifecycle;
    this.changes = changes;
    this.audit = audit;
    this.identity = identity;
  }

  @Override
  public void notify(DelegateTask task) {
    if (TaskListener.EVENTNAME_ASSIGNMENT.equals(task.getEventName())) {
      assigned(task);
    } else if (TaskListener.EVENTNAME_COMPLETE.equals(task.getEventName())) {
      completed(task);
    }
  }

  private void assigned(DelegateTask task) {
    String requestId = task.getExecution().getProcessBusinessKey();
    String principal = lifecycle.accessTaskAssignee(new ProcessStep(requestId, task.getProcessInstanceId(), null));
    if (principal != null && principal.equals(task.getAssignee())) {
      return;
    }
    String actor = Steps.signedIn(identity);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", "the task \"Your access\" stays with the principal");
    details.put("assignee", String.valueOf(task.getAssignee()));
    details.put("taskId", task.getId());
    audit.refused(actor, "refused.assign", requestId, details);
    EngineErrors.translate(() -> {
      throw new ForbiddenActionException("The task \"Your access\" of request " + requestId + " belongs to its principal ("
          + principal + "); it cannot be claimed, reassigned, delegated or unclaimed");
    });
  }

  private void completed(DelegateTask task) {
    if (task.getExecution() == null) {
      // The access ended meanwhile (timer, revoke) and took the task with it: a lost race.
      throw new org.camunda.bpm.engine.OptimisticLockingException("The access ended meanwhile");
    }
    Caller caller = Steps.caller(identity);
    ProcessStep step = new ProcessStep(task.getExecution().getProcessBusinessKey(), task.getProcessInstanceId(),
        caller == null ? null : caller.userId());
    String action = text(task, ACCESS_ACTION);
    AccessRequest r = EngineErrors.answer(() -> changes.actOnActiveAccess(step, caller, action, text(task, EXTEND_BY),
        text(task, ACCESS_REASON)));
    // Route by the checked choice; the next round's expiry timer reads the stored end, not a sent
    // one, and the copies the forms show are the stored request's again.
    task.getExecution().setVariables(r.displayed());
    task.getExecution().setVariable(ACCESS_ACTION, RequestChanges.AccessAction.valueOf(action.trim()).name());
    if (r.getGrantEnd() != null) {
      task.getExecution().setVariable(GRANT_END, Date.from(r.getGrantEnd()));
    }
  }

  private static String text(DelegateTask task, String name) {
    return Objects.toString(task.getVariable(name), null);
  }
}
