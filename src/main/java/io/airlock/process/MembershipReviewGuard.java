package io.airlock.process;

import io.airlock.membership.MembershipChanges;
import io.airlock.request.Caller;
import java.util.Objects;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.stereotype.Component;

/**
 * Complete listener of "Review group membership change": the use case checks the person who
 * completes it (signed in; not the asker, not the user; in the security group or an
 * administrator) and records the decision; the gateway then follows the recorded decision, never
 * the variable sent with the completion.
 */
@Component(GroupMembershipModel.Beans.REVIEW_GUARD)
class MembershipReviewGuard implements TaskListener {

  private final MembershipChanges changes;
  private final IdentityService identity;

  MembershipReviewGuard(MembershipChanges changes, IdentityService identity) {
    this.changes = changes;
    this.identity = identity;
  }

  @Override
  public void notify(DelegateTask task) {
    Caller reviewer = Steps.caller(identity);
    boolean approved = EngineErrors.answer(() -> changes.review(task.getExecution().getProcessBusinessKey(),
        reviewer, Objects.toString(task.getVariable(GroupMembershipModel.Variables.OUTCOME), null),
        Objects.toString(task.getVariable(GroupMembershipModel.Variables.COMMENT), null)));
    task.getExecution().getProcessInstance().setVariable(GroupMembershipModel.Variables.APPROVED, approved);
  }
}
