package io.airlock.request;

import java.util.List;

/**
 * The policy (the decision tables in {@code dmn/}) as the use cases see it. It is evaluated on
 * the stored request, never on process variables, so nothing a caller sends to the engine can
 * change what the policy decides.
 */
public interface AccessPolicy {

  /** The scope the request falls in; null when no scope allows it. */
  Scope scope(AccessRequest request, boolean principalIsRequester);

  /** APPROVE, DENY or MANUAL (an approver reviews), with the reason shown to people. */
  Approval approval(AccessRequest request, Scope scope, boolean principalIsRequester);

  /**
   * Both tables on a draft that is not stored: what policy would decide, with nothing recorded
   * (no audit entry, no decision history). The scope is null when none allows the draft; the
   * approval is null then too.
   */
  Preview preview(AccessRequest draft, boolean principalIsRequester);

  /** What {@link #preview} found. */
  record Preview(Scope scope, Approval approval) {}

  /** A row of the scopes table. */
  record Scope(String name, List<String> approverGroups, long maxDurationMinutes, boolean mayRequestForOthers,
      int approvalsRequired, String escalationGroup, boolean breakGlassAllowed) {
    public Scope {
      approverGroups = approverGroups == null ? List.of() : List.copyOf(approverGroups);
      approvalsRequired = Math.max(1, approvalsRequired);
    }
  }

  /** What the auto-approval table decided. */
  record Approval(String outcome, String reason, boolean breakGlass) {

    public Approval(String outcome, String reason) {
      this(outcome, reason, false);
    }

    public static final String APPROVE = "APPROVE";
    public static final String DENY = "DENY";
    public static final String MANUAL = "MANUAL";
  }
}
