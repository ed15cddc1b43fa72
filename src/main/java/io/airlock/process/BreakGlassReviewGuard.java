package io.airlock.process;

import static io.airlock.process.AccessRequestModel.Variables.BREAK_GLASS_REJECTED;
import static io.airlock.process.AccessRequestModel.Variables.REVIEW_OUTCOME;

import io.airlock.request.Reviews;
import io.airlock.request.Caller;
import io.airlock.request.ProcessStep;
import java.util.Objects;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.stereotype.Component;

/**
 * Complete listener of "Review break-glass access": the use case checks the reviewer as for any
 * review and records the verdict; a rejection sets {@code breakGlassRejected} on the instance,
 * which the conditional event "Break-glass rejected" waits for, and the access is revoked at once.
 */
@Component("breakGlassReviewGuard")
class BreakGlassReviewGuard implements TaskListener {

  private final Reviews reviews;
  private final IdentityService identity;

  BreakGlassReviewGuard(Reviews reviews, IdentityService identity) {
    this.reviews = reviews;
    this.identity = identity;
  }

  @Override
  public void notify(DelegateTask task) {
    Caller reviewer = Steps.caller(identity);
    ProcessStep step = new ProcessStep(task.getExecution().getProcessBusinessKey(), task.getProcessInstanceId(),
        reviewer == null ? null : reviewer.userId());
    boolean revokeNow = EngineErrors.answer(() -> reviews.recordBreakGlassReview(step, reviewer,
        Objects.toString(task.getVariable(REVIEW_OUTCOME), null), AccessRequestModel.reviewComment(task)));
    if (revokeNow) {
      task.getExecution().getProcessInstance().setVariable(BREAK_GLASS_REJECTED, true);
    }
  }
}
