package io.airlock.process;

import static io.airlock.process.PolicyProposalModel.Variables.*;

import io.airlock.proposal.PolicyProposals;
import io.airlock.request.Caller;
import java.util.Objects;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * Listener of "Review policy proposal". On create it names the task after the proposal
 * ("Review policy proposal 7: dmn/auto-approval.dmn by pat"). On complete, however the task is
 * completed (Tasklist, the engine REST API, Airlock's API), it records the decision through
 * {@link PolicyProposals#review}, which refuses anyone outside the policy approvers and the
 * proposal's author; throwing rolls the completion back and Tasklist shows the sentence. The
 * gateway reads {@code proposalApproved}, set here from the recorded decision, never from the form.
 */
@Component(PolicyProposalModel.Beans.REVIEW_GUARD)
class ProposalReviewGuard implements TaskListener {

  private final PolicyProposals proposals;
  private final IdentityService identity;

  ProposalReviewGuard(@Lazy PolicyProposals proposals, @Lazy IdentityService identity) {
    this.proposals = proposals;
    this.identity = identity;
  }

  @Override
  public void notify(DelegateTask task) {
    if (EVENTNAME_CREATE.equals(task.getEventName())) {
      task.setName("Review " + Objects.toString(task.getVariable(PROPOSAL_TITLE), "policy proposal") + " by "
          + Objects.toString(task.getVariable(PROPOSAL_AUTHOR), "?"));
      return;
    }
    if (!EVENTNAME_COMPLETE.equals(task.getEventName())) {
      return;
    }
    if (task.getExecution() == null) {
      throw new org.camunda.bpm.engine.OptimisticLockingException("The review was completed by someone else meanwhile");
    }
    Caller reviewer = Steps.caller(identity);
    long id = Long.parseLong(task.getExecution().getProcessBusinessKey());
    boolean approved = EngineErrors.answer(() -> proposals.review(id, task.getProcessInstanceId(), reviewer,
        Objects.toString(task.getVariable(PROPOSAL_DECISION), null),
        Objects.toString(task.getVariable(PROPOSAL_COMMENT), null)));
    task.getExecution().setVariable(PROPOSAL_APPROVED, approved);
  }
}
