package io.airlock.process;

import io.airlock.membership.MembershipChanges;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** "Change group membership": applies the change if, and only if, its row records a second person's approval. */
@Component(GroupMembershipModel.Beans.CHANGE_DELEGATE)
class ChangeGroupMembershipDelegate implements JavaDelegate {

  private final MembershipChanges changes;

  ChangeGroupMembershipDelegate(MembershipChanges changes) {
    this.changes = changes;
  }

  @Override
  public void execute(DelegateExecution execution) {
    EngineErrors.translate(() -> changes.apply(execution.getProcessBusinessKey()));
  }
}
