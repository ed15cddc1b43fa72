package io.airlock.process;

/**
 * The contract between {@code bpmn/access-request.bpmn} (with its decisions and forms) and the
 * application code: process key, element ids, messages, errors, variable names and bean names.
 * The statuses the model reports through {@code requestStatus.update(execution, status)} are
 * the names of {@link io.airlock.request.RequestStatus}.
 *
 * <p>Change a value here only together with the model files; the process test deploys the real
 * files and uses these constants, so a mismatch fails the build.
 */
public final class AccessRequestModel {

  /**
   * The review's comment: for DENY the form's required "why" field ({@code denyReason}), else (or
   * when that is empty, as from the engine REST API) {@code reviewComment}.
   */
  static String reviewComment(org.camunda.bpm.engine.delegate.DelegateTask task) {
    Object deny = task.getVariable(Variables.DENY_REASON);
    if ("DENY".equals(String.valueOf(task.getVariable(Variables.REVIEW_OUTCOME)).trim()) && deny != null
        && !deny.toString().isBlank()) {
      return deny.toString();
    }
    return java.util.Objects.toString(task.getVariable(Variables.REVIEW_COMMENT), null);
  }

  public static final String PROCESS_KEY = "access-request";

  private AccessRequestModel() {}

  /** Ids of the BPMN elements. */
  public static final class Elements {
    public static final String START_ACCESS_REQUESTED = "StartEvent_AccessRequested";
    public static final String TASK_REGISTER_REQUEST = "Task_RegisterRequest";
    public static final String TASK_CHECK_SCOPE = "Task_CheckScope";
    public static final String GATEWAY_IN_SCOPE = "Gateway_InScope";
    public static final String END_OUT_OF_SCOPE = "End_OutOfScope";
    public static final String TASK_DECIDE_APPROVAL = "Task_DecideApproval";
    public static final String GATEWAY_APPROVAL_OUTCOME = "Gateway_ApprovalOutcome";
    public static final String TASK_REVIEW_REQUEST = "Task_ReviewRequest";
    public static final String EVENT_REQUEST_WITHDRAWN = "Event_RequestWithdrawn";
    public static final String END_REQUEST_WITHDRAWN = "End_RequestWithdrawn";
    public static final String EVENT_REVIEW_WAITING = "Event_ReviewWaiting";
    public static final String TASK_ESCALATE_REVIEW = "Task_EscalateReview";
    public static final String END_REVIEW_ESCALATED = "End_ReviewEscalated";
    public static final String EVENT_REVIEW_REMINDER = "Event_ReviewReminder";
    public static final String TASK_REMIND_APPROVERS = "Task_RemindApprovers";
    public static final String END_APPROVERS_REMINDED = "End_ApproversReminded";
    public static final String EVENT_REVIEW_OVERDUE = "Event_ReviewOverdue";
    public static final String TASK_EXPIRE_REQUEST = "Task_ExpireRequest";
    public static final String END_REQUEST_EXPIRED = "End_RequestExpired";
    public static final String GATEWAY_REVIEWED = "Gateway_Reviewed";
    public static final String END_REQUEST_DENIED = "End_RequestDenied";
    public static final String END_REQUEST_EDITED = "End_RequestEdited";
    public static final String EVENT_ACCESS_APPROVED = "Event_AccessApproved";
    public static final String GATEWAY_SCHEDULED = "Gateway_Scheduled";
    public static final String GATEWAY_AWAIT_START = "Gateway_AwaitStart";
    public static final String EVENT_SCHEDULED_START = "Event_ScheduledStart";
    public static final String EVENT_SCHEDULE_WITHDRAWN = "Event_ScheduleWithdrawn";
    public static final String END_SCHEDULE_WITHDRAWN = "End_ScheduleWithdrawn";
    public static final String TASK_GRANT_ACCESS = "Task_GrantAccess";
    public static final String EVENT_GRANT_REJECTED = "Event_GrantRejected";
    public static final String END_GRANT_FAILED = "End_GrantFailed";
    public static final String GATEWAY_GRANTED = "Gateway_Granted";
    public static final String GATEWAY_BREAK_GLASS = "Gateway_BreakGlass";
    public static final String END_NO_POST_REVIEW = "End_NoPostReview";
    public static final String TASK_REVIEW_BREAK_GLASS = "Task_ReviewBreakGlass";
    public static final String END_BREAK_GLASS_ACCEPTED = "End_BreakGlassAccepted";
    public static final String END_BREAK_GLASS_REJECTED = "End_BreakGlassRejected";
    public static final String EVENT_BREAK_GLASS_REJECTED = "Event_BreakGlassRejected";
    public static final String TASK_MANAGE_ACCESS = "Task_ManageAccess";
    public static final String GATEWAY_ACCESS_ACTION = "Gateway_AccessAction";
    public static final String EVENT_ACCESS_EXPIRED = "Event_AccessExpired";
    public static final String EVENT_REVOKE_REQUESTED = "Event_RevokeRequested";
    public static final String EVENT_REVOCATION_DUE = "Event_RevocationDue";
    public static final String TASK_REVOKE_ACCESS = "Task_RevokeAccess";
    public static final String END_ACCESS_REVOKED = "End_AccessRevoked";

    private Elements() {}
  }

  /** Message names (not ids) to correlate. */
  public static final class Messages {
    /** Revoke an active grant now; correlate by business key (the request id). */
    public static final String REVOKE_REQUESTED = "RevokeRequested";
    /** The requester withdrew a request waiting for review; correlate by business key. */
    public static final String REQUEST_WITHDRAWN = "RequestWithdrawn";

    private Messages() {}
  }

  /** Error codes of BPMN errors a delegate may throw. */
  public static final class Errors {
    /** AWS refused the grant for a business reason (e.g. the account or permission set does not exist). */
    public static final String GRANT_REJECTED = "GRANT_REJECTED";

    private Errors() {}
  }

  /** Keys of the decisions the process calls. */
  public static final class Decisions {
    public static final String ACCESS_SCOPES = io.airlock.policy.Decisions.ACCESS_SCOPES;
    public static final String AUTO_APPROVAL = io.airlock.policy.Decisions.AUTO_APPROVAL;

    private Decisions() {}
  }

  /** Ids of the Camunda Forms the process refers to. */
  public static final class Forms {
    public static final String REQUEST_AWS_ACCESS = "request-aws-access";
    public static final String REVIEW_ACCESS_REQUEST = "review-access-request";
    public static final String YOUR_ACCESS = "your-access";

    private Forms() {}
  }

  /** Names of the Spring beans the model refers to. */
  public static final class Beans {
    /** JavaDelegate of {@code Task_RegisterRequest}. */
    public static final String REGISTER_REQUEST_DELEGATE = "registerRequestDelegate";
    /** JavaDelegate of the business rule task {@code Task_CheckScope}. */
    public static final String CHECK_SCOPE_DELEGATE = "checkScopeDelegate";
    /** JavaDelegate of the business rule task {@code Task_DecideApproval}. */
    public static final String DECIDE_APPROVAL_DELEGATE = "decideApprovalDelegate";
    /** JavaDelegate of {@code Task_EscalateReview}. */
    public static final String ESCALATE_REVIEW_DELEGATE = "escalateReviewDelegate";
    public static final String REMIND_APPROVERS_DELEGATE = "remindApproversDelegate";
    public static final String REVIEW_TASK_NAMER = "reviewTaskNamer";
    /** JavaDelegate of {@code Task_ExpireRequest}. */
    public static final String EXPIRE_REQUEST_DELEGATE = "expireRequestDelegate";
    /** JavaDelegate of {@code Task_GrantAccess}. */
    public static final String GRANT_ACCESS_DELEGATE = "grantAccessDelegate";
    /** JavaDelegate of {@code Task_RevokeAccess}. */
    public static final String REVOKE_ACCESS_DELEGATE = "revokeAccessDelegate";
    /** TaskListener (complete) of {@code Task_ReviewBreakGlass}. */
    public static final String BREAK_GLASS_REVIEW_GUARD = "breakGlassReviewGuard";
    /** TaskListener (create) of {@code Task_ManageAccess}: name, assignee, due and follow-up from the stored request. */
    public static final String ACCESS_TASK_NAMER = "accessTaskNamer";
    /** TaskListener (assignment, complete) of {@code Task_ManageAccess}. */
    public static final String ACCESS_TASK_GUARD = "accessTaskGuard";
    /** TaskListener (complete) of {@code Task_ReviewRequest}. */
    public static final String REVIEW_GUARD = "reviewGuard";
    /** Object with {@code update(DelegateExecution, 'REVOKING')}, called when revocation is due. */
    public static final String REQUEST_STATUS = "requestStatus";

    private Beans() {}
  }

  /** Process variable names. */
  public static final class Variables {
    /** String, the signed-in user who started the request (a copy of the stored request's). */
    public static final String REQUESTER = "requester";
    /** String, also the business key. */
    public static final String REQUEST_ID = "requestId";
    /** String, e.g. {@code AWS}. */
    public static final String SYSTEM = "system";
    /** String, 12-digit AWS account id. */
    public static final String TARGET = "target";
    /** String, IAM Identity Center user name. */
    public static final String PRINCIPAL = "principal";
    /** String, permission set name. */
    public static final String PERMISSION = "permission";
    /** String, ISO-8601 duration such as {@code PT1H}. */
    public static final String DURATION = "duration";
    /** Long. */
    public static final String DURATION_MINUTES = "durationMinutes";
    /** Boolean: asked for break-glass on start; after the policy step, granted as break-glass (a copy). */
    public static final String BREAK_GLASS = "breakGlass";
    /** Boolean, set by Airlock when the review after the fact rejects break-glass access: revoke now. */
    public static final String BREAK_GLASS_REJECTED = "breakGlassRejected";
    /** java.util.Date, optional: grant at this time, not at approval (a copy of the stored request's). */
    public static final String START_AT = "startAt";
    /** String. */
    public static final String JUSTIFICATION = "justification";
    /** String, optional. */
    public static final String TICKET = "ticket";
    /** Craft: template (S3_READ_ONLY, SERVICES_READ_ONLY, CUSTOM) and its parameters. */
    public static final String CRAFT_TEMPLATE = "craftTemplate";
    /** Craft: bucket names, comma-separated. */
    public static final String CRAFT_BUCKETS = "craftBuckets";
    /** Craft: service prefixes, comma-separated. */
    public static final String CRAFT_SERVICES = "craftServices";
    /** Craft: a custom IAM policy document (JSON). */
    public static final String CRAFT_POLICY = "craftPolicy";
    /** java.util.List&lt;String&gt; of the requester's Camunda groups, stored as JSON. */
    public static final String REQUESTER_GROUPS = "requesterGroups";

    /** String, matched scope of {@code access-scopes}; null when the request is out of scope. */
    public static final String SCOPE_NAME = "scopeName";
    /** String, comma-separated Camunda group ids: candidate groups of the review task. */
    public static final String APPROVER_GROUPS = "approverGroups";
    /** Long. */
    public static final String MAX_DURATION_MINUTES = "maxDurationMinutes";

    /** String, {@link ApprovalOutcome}. */
    public static final String APPROVAL_OUTCOME = "approvalOutcome";
    /** String. */
    public static final String APPROVAL_REASON = "approvalReason";

    /** String, {@link ReviewOutcome}, set by the review form. */
    public static final String REVIEW_OUTCOME = "reviewOutcome";
    /** String, set by the review form. */
    public static final String REVIEW_COMMENT = "reviewComment";
    /** String, set by the review form: why the approver denies (the field shows, required, only for DENY). */
    public static final String DENY_REASON = "denyReason";
    /** An approver's edit from the review form (reviewOutcome EDIT): what to change; empty keeps it. */
    public static final String EDIT_TARGET = "editTarget";
    public static final String EDIT_PERMISSION = "editPermission";
    public static final String EDIT_DURATION = "editDuration";
    /** Boolean, set by the review guard: the scope's quorum needs another approver's review. */
    public static final String MORE_APPROVALS_NEEDED = "moreApprovalsNeeded";

    /** String, {@link AccessAction}, set by the form of "Your access". */
    public static final String ACCESS_ACTION = "accessAction";
    /** String, ISO-8601 duration to add (EXTEND), set by the form of "Your access". */
    public static final String EXTEND_BY = "extendBy";
    /** String, why the principal ends the access or asks for more time, set by the form of "Your access". */
    public static final String ACCESS_REASON = "accessReason";
    /** Task-local String, for the form of "Your access": the account by its name ("staging (333333333333)"). */
    public static final String ACCESS_ACCOUNT = "accessAccount";
    /** Task-local String, for the form of "Your access": when the access ends, in the organization's time zone. */
    public static final String ACCESS_ENDS = "accessEnds";

    /**
     * Task-local Json (Spin), for the form of "Your access": the choices of {@code extendBy} that
     * policy can allow now, {@code [{label: "1 h · until 15:30 UTC", value: "PT1H"}, …]}, empty when none.
     */
    public static final String EXTEND_CHOICES = "extendChoices";
    /** Task-local String, for the form of "Your access": how much more policy allows, or why nothing, in words. */
    public static final String EXTEND_LIMIT = "extendLimit";

    /** java.util.Date, when the grant ends; the expiry timer fires then. */
    public static final String GRANT_END = "grantEnd";

    private Variables() {}
  }

  /** Values of {@code approvalOutcome}. */
  public static final class ApprovalOutcome {
    public static final String APPROVE = "APPROVE";
    public static final String DENY = "DENY";
    public static final String MANUAL = "MANUAL";

    private ApprovalOutcome() {}
  }

  /** Values of {@code accessAction}. */
  public static final class AccessAction {
    /** End the access now (a recorded early revoke). */
    public static final String END_NOW = "END_NOW";
    /** Ask for more time: a rework of the remaining time plus {@code extendBy}, through policy and review. */
    public static final String EXTEND = "EXTEND";

    private AccessAction() {}
  }

  /** Values of {@code reviewOutcome}. */
  public static final class ReviewOutcome {
    public static final String APPROVE = "APPROVE";
    public static final String DENY = "DENY";

    private ReviewOutcome() {}
  }
}
