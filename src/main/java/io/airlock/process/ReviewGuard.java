package io.airlock.process;

import static io.airlock.process.AccessRequestModel.Variables.*;

import io.airlock.request.Reviews;
import io.airlock.request.RequestChanges;
import org.springframework.context.annotation.Lazy;
import io.airlock.request.Caller;
import io.airlock.request.ProcessStep;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.stereotype.Component;

/**
 * Complete listener of "Review access request". Runs however the task is completed
 * (Tasklist, Airlock's REST API, the engine REST API): the use case checks that the signed-in
 * user is an approver of the request's scope and neither its requester nor its principal, and
 * that the values the form showed are the stored request's. Throwing rolls the completion
 * back, and Tasklist shows the message.
 */
@Component("reviewGuard")
class ReviewGuard implements TaskListener {

  /** The variables the review form shows (forms/review-access-request.form). */
  private static final List<String> SHOWN = List.of(REQUESTER, PRINCIPAL, TARGET, PERMISSION, DURATION, JUSTIFICATION,
      TICKET, CRAFT_POLICY);

  private final Reviews reviews;
  private final RequestChanges changes;
  private final IdentityService identity;

  ReviewGuard(Reviews reviews, @Lazy RequestChanges changes, IdentityService identity) {
    this.reviews = reviews;
    this.changes = changes;
    this.identity = identity;
  }

  @Override
  public void notify(DelegateTask task) {
    if (task.getExecution() == null) {
      // Another approver's completion won the race and moved the process on: a lost race (409).
      throw new org.camunda.bpm.engine.OptimisticLockingException("The review was completed by someone else meanwhile");
    }
    Caller reviewer = Steps.caller(identity);
    Map<String, Object> shown = new LinkedHashMap<>();
    for (String name : SHOWN) {
      shown.put(name, task.getVariable(name));
    }
    // The business key and instance, not variables: variables can be set by whoever completes the task.
    ProcessStep step = new ProcessStep(task.getExecution().getProcessBusinessKey(), task.getProcessInstanceId(),
        reviewer == null ? null : reviewer.userId());
    if ("EDIT".equals(task.getVariable(REVIEW_OUTCOME))) {
      // The approver files a changed request instead; the process ends this one by its "edited" path.
      EngineErrors.translate(() -> changes.editInReview(step, reviewer, text(task, EDIT_TARGET),
          text(task, EDIT_PERMISSION), text(task, EDIT_DURATION), text(task, REVIEW_COMMENT)));
      task.getExecution().setVariable(MORE_APPROVALS_NEEDED, false);
      return;
    }
    boolean moreNeeded = EngineErrors.answer(() -> reviews.recordReview(step, reviewer,
        Objects.toString(task.getVariable(REVIEW_OUTCOME), null), AccessRequestModel.reviewComment(task), shown));
    task.getExecution().setVariable(MORE_APPROVALS_NEEDED, moreNeeded);
  }

  private static String text(DelegateTask task, String name) {
    return Objects.toString(task.getVariable(name), null);
  }
}
