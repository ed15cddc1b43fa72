package io.airlock.request;

/** Where a request stands. Terminal states: REVOKED, DENIED, REJECTED_OUT_OF_SCOPE, FAILED. */
public enum RequestStatus {
  SUBMITTED,
  PENDING_REVIEW,
  GRANTING,
  ACTIVE,
  REVOKING,
  REVOKED,
  DENIED,
  REJECTED_OUT_OF_SCOPE,
  FAILED;

  public boolean isTerminal() {
    return this == REVOKED || this == DENIED || this == REJECTED_OUT_OF_SCOPE || this == FAILED;
  }
}
