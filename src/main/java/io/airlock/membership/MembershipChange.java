package io.airlock.membership;

import java.time.Instant;

/**
 * A change to who holds one of Airlock's groups, asked for by one person and decided by another.
 *
 * @param change {@code ADD} or {@code REMOVE}
 * @param status {@code PENDING_REVIEW}, then {@code DENIED}, or {@code APPROVED} and, once the
 *               user store has it, {@code CHANGED}
 */
public record MembershipChange(
    String id,
    String userId,
    String groupId,
    String change,
    String reason,
    String requestedBy,
    Instant requestedAt,
    String status,
    String decidedBy,
    Instant decidedAt,
    String decisionComment,
    Instant changedAt,
    String processInstanceId) {

  public static final String ADD = "ADD";
  public static final String REMOVE = "REMOVE";
  public static final String PENDING_REVIEW = "PENDING_REVIEW";
  public static final String APPROVED = "APPROVED";
  public static final String DENIED = "DENIED";
  public static final String CHANGED = "CHANGED";

  /** "add admin to airlock-policy-authors", as people say it. */
  public String summary() {
    return ADD.equals(change) ? "add " + userId + " to " + groupId : "remove " + userId + " from " + groupId;
  }
}
