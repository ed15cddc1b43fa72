package io.airlock.process;

/**
 * The contract between {@code bpmn/group-membership-change.bpmn} and the application code:
 * process key, element ids, bean names and variables. The business key is the change's id.
 */
public final class GroupMembershipModel {

  public static final String PROCESS_KEY = "group-membership-change";

  private GroupMembershipModel() {}

  /** Ids of the BPMN elements. */
  public static final class Elements {
    public static final String START_CHANGE_REQUESTED = "StartEvent_MembershipChangeRequested";
    public static final String TASK_REVIEW = "Task_ReviewMembershipChange";
    public static final String GATEWAY_APPROVED = "Gateway_MembershipChangeApproved";
    public static final String TASK_CHANGE = "Task_ChangeGroupMembership";
    public static final String END_CHANGED = "End_MembershipChanged";
    public static final String END_DENIED = "End_MembershipChangeDenied";

    private Elements() {}
  }

  /** Names of the Spring beans the model refers to (also in {@link ExpressionBeans#ALLOWED}). */
  public static final class Beans {
    public static final String REVIEW_GUARD = "membershipReviewGuard";
    public static final String CHANGE_DELEGATE = "changeGroupMembershipDelegate";

    private Beans() {}
  }

  /** Process variables: copies for the form and the gateway; the change's row is the truth. */
  public static final class Variables {
    public static final String USER = "membershipUser";
    public static final String GROUP = "membershipGroup";
    public static final String CHANGE = "membershipChange";
    public static final String REASON = "membershipReason";
    public static final String REQUESTED_BY = "membershipRequestedBy";
    public static final String REVIEWER_GROUPS = "reviewerGroups";
    /** The reviewer's choice in the form: APPROVE or DENY. */
    public static final String OUTCOME = "membershipOutcome";
    public static final String COMMENT = "membershipComment";
    /** Set by the review guard from the recorded decision (Boolean), for the gateway. */
    public static final String APPROVED = "membershipApproved";

    private Variables() {}
  }
}
