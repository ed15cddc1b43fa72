package io.airlock.process;

/**
 * The contract between {@code bpmn/policy-proposal.bpmn} and the application code: process key,
 * element ids, bean names and variables. Change a value here only together with the model.
 */
public final class PolicyProposalModel {

  public static final String PROCESS_KEY = "policy-proposal";
  /** Source of the deployments that put an approved proposal in force. */
  public static final String IN_FORCE_SOURCE = "airlock-policy-proposal";

  private PolicyProposalModel() {}

  /** Ids of the BPMN elements. */
  public static final class Elements {
    public static final String START_POLICY_PROPOSED = "StartEvent_PolicyProposed";
    public static final String TASK_SIMULATE = "Task_SimulateProposal";
    public static final String TASK_REVIEW = "Task_ReviewProposal";
    public static final String EVENT_REVIEW_OVERDUE = "Event_ProposalOverdue";
    public static final String TASK_EXPIRE = "Task_ExpireProposal";
    public static final String GATEWAY_APPROVED = "Gateway_ProposalApproved";
    public static final String TASK_PUT_IN_FORCE = "Task_PutPolicyInForce";
    public static final String GATEWAY_IN_FORCE = "Gateway_PolicyInForce";
    public static final String END_IN_FORCE = "End_PolicyInForce";
    public static final String END_SUPERSEDED = "End_ProposalSuperseded";
    public static final String END_REJECTED = "End_ProposalRejected";
    public static final String END_EXPIRED = "End_ProposalExpired";

    private Elements() {}
  }

  /** Names of the Spring beans the model refers to (also in {@link ExpressionBeans#ALLOWED}). */
  public static final class Beans {
    public static final String SIMULATE_DELEGATE = "simulateProposalDelegate";
    public static final String REVIEW_GUARD = "proposalReviewGuard";
    public static final String PUT_IN_FORCE_DELEGATE = "putPolicyInForceDelegate";
    public static final String EXPIRE_DELEGATE = "expireProposalDelegate";

    private Beans() {}
  }

  /** Process variables: copies for routing and display; the proposal's state is Airlock's table. */
  public static final class Variables {
    /** Long: the proposal's id (also the business key, as text). */
    public static final String PROPOSAL_ID = "proposalId";
    public static final String PROPOSAL_TITLE = "proposalTitle";
    public static final String PROPOSAL_AUTHOR = "proposalAuthor";
    /** The files, one per line, with their SHA-256. */
    public static final String PROPOSAL_FILES = "proposalFiles";
    /** What the simulation found, in sentences. */
    public static final String PROPOSAL_SIMULATION = "proposalSimulation";
    /** The candidate group of the review: {@code airlock.groups.policy-approvers}. */
    public static final String POLICY_APPROVER_GROUP = "policyApproverGroup";
    /** The reviewer's decision from the form: APPROVE or REJECT. */
    public static final String PROPOSAL_DECISION = "proposalDecision";
    public static final String PROPOSAL_COMMENT = "proposalComment";
    /** Boolean, set by the review guard from the recorded decision (never from the form). */
    public static final String PROPOSAL_APPROVED = "proposalApproved";
    /** Boolean, set by "Put the policy in force": false when superseded. */
    public static final String POLICY_IN_FORCE = "policyInForce";

    private Variables() {}
  }
}
