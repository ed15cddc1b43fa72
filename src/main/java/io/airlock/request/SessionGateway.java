package io.airlock.request;

import io.airlock.request.AccessGateway.OperationResult;
import java.time.Duration;
import java.time.Instant;

/**
 * What ending a principal's live sessions needs from the access system: an explicit deny in
 * the inline policy of a permission set Airlock manages, for one user in one account, on the
 * sessions issued before a moment. Implemented by the AWS adapter; no SDK type crosses it.
 */
public interface SessionGateway {

  /**
   * Whether Airlock manages the permission set (tag {@code airlock:managed=true}) and its
   * session duration; empty when the set no longer exists.
   */
  java.util.Optional<PermissionSetFacts> describe(String permissionSetArn);

  /**
   * Puts (or replaces) the deny into the permission set's inline policy, keeping every other
   * statement, and provisions the set to the deny's account, waiting for SUCCEEDED. When the
   * set no longer exists nothing is put and the result says {@code alreadyInPlace}: no set, no
   * session of it.
   */
  OperationResult putDeny(SessionDeny deny);

  /**
   * Takes the deny's statement out of the inline policy (deleting the inline policy when
   * nothing else is left) and provisions the account if the set is still provisioned there.
   * A permission set that is gone, or a statement that is not there, is success.
   */
  OperationResult removeDeny(SessionDeny deny);

  /** A permission set as far as ending sessions is concerned. */
  record PermissionSetFacts(boolean managed, Duration sessionDuration) {}

  /**
   * Deny every action to the user's sessions of the permission set in the account that were
   * issued before {@code issuedBefore} ({@code aws:TokenIssueTime}); with no time, all of them
   * (a crafted set, which is the request's alone).
   */
  record SessionDeny(String permissionSetArn, String accountId, String principalId, Instant issuedBefore) {

    /** The statement id: one statement per account and user in a permission set. */
    public String sid() {
      return "AirlockEndSessions" + accountId + principalId.replaceAll("[^A-Za-z0-9]", "");
    }
  }
}
