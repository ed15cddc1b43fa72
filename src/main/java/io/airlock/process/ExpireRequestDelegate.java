package io.airlock.process;

import io.airlock.request.Reviews;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** "Expire access request": the review's timer fired; the use case records EXPIRED. */
@Component("expireRequestDelegate")
class ExpireRequestDelegate implements JavaDelegate {

  private final Reviews reviews;
  private final IdentityService identity;

  ExpireRequestDelegate(Reviews reviews, IdentityService identity) {
    this.reviews = reviews;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    reviews.expire(Steps.of(execution, identity));
  }
}
