package io.airlock.process;

import io.airlock.proposal.PolicyProposals;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * The service tasks of {@code bpmn/policy-proposal.bpmn}, one thin delegate each. The proposal is
 * the business key; each use case checks the proposal's state in Airlock's table, not variables.
 */
@Configuration
class ProposalDelegates {

  @Bean(PolicyProposalModel.Beans.SIMULATE_DELEGATE)
  JavaDelegate simulateProposalDelegate(@Lazy PolicyProposals proposals) {
    return execution -> execution.setVariable(PolicyProposalModel.Variables.PROPOSAL_SIMULATION,
        proposals.simulate(id(execution)));
  }

  @Bean(PolicyProposalModel.Beans.PUT_IN_FORCE_DELEGATE)
  JavaDelegate putPolicyInForceDelegate(@Lazy PolicyProposals proposals) {
    return execution -> {
      boolean inForce = EngineErrors.answer(() -> proposals.putInForce(id(execution)));
      execution.setVariable(PolicyProposalModel.Variables.POLICY_IN_FORCE, inForce);
    };
  }

  @Bean(PolicyProposalModel.Beans.EXPIRE_DELEGATE)
  JavaDelegate expireProposalDelegate(@Lazy PolicyProposals proposals) {
    return execution -> proposals.expire(id(execution));
  }

  static long id(DelegateExecution execution) {
    return Long.parseLong(execution.getProcessBusinessKey());
  }
}
