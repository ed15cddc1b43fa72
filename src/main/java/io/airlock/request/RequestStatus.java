package io.airlock.request;

/**
 * Where a request stands. Terminal states: REVOKED, DENIED, REJECTED_OUT_OF_SCOPE, FAILED,
 * CANCELLED (withdrawn, or its process was cancelled before access was granted), EXPIRED
 * (nobody reviewed it in time), SUPERSEDED (an edit or a rework replaced it: superseded_by).
 */
public enum RequestStatus {
  SUBMITTED,
  PENDING_REVIEW,
  SCHEDULED,
  GRANTING,
  ACTIVE,
  REVOKING,
  REVOKED,
  DENIED,
  REJECTED_OUT_OF_SCOPE,
  FAILED,
  CANCELLED,
  EXPIRED,
  SUPERSEDED;

  public boolean isTerminal() {
    return this == REVOKED || this == DENIED || this == REJECTED_OUT_OF_SCOPE || this == FAILED || this == CANCELLED
        || this == EXPIRED || this == SUPERSEDED;
  }

  /** AWS may hold access for the request in this state (granting, granted, being revoked). */
  public boolean mayHoldAccess() {
    return this == GRANTING || this == ACTIVE || this == REVOKING;
  }
}
