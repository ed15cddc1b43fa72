package io.airlock.request;

/**
 * Where a request stands. Terminal states: REVOKED, DENIED, REJECTED_OUT_OF_SCOPE, FAILED,
 * CANCELLED (its process was cancelled before access was granted).
 */
public enum RequestStatus {
  SUBMITTED,
  PENDING_REVIEW,
  GRANTING,
  ACTIVE,
  REVOKING,
  REVOKED,
  DENIED,
  REJECTED_OUT_OF_SCOPE,
  FAILED,
  CANCELLED;

  public boolean isTerminal() {
    return this == REVOKED || this == DENIED || this == REJECTED_OUT_OF_SCOPE || this == FAILED || this == CANCELLED;
  }

  /** AWS may hold access for the request in this state (granting, granted, being revoked). */
  public boolean mayHoldAccess() {
    return this == GRANTING || this == ACTIVE || this == REVOKING;
  }
}
