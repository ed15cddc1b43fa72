package io.airlock.process;

import io.airlock.request.Reviews;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** "Remind approvers": the review still waits; the use case records it and tells the approvers. */
@Component("remindApproversDelegate")
class RemindApproversDelegate implements JavaDelegate {

  private final Reviews reviews;
  private final IdentityService identity;

  RemindApproversDelegate(Reviews reviews, IdentityService identity) {
    this.reviews = reviews;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    reviews.remindApprovers(Steps.of(execution, identity));
  }
}
