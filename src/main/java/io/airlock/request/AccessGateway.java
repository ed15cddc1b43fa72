package io.airlock.request;

import java.util.Optional;

/**
 * What Airlock needs from the access system (AWS IAM Identity Center). Implemented by the AWS
 * adapter; no SDK type crosses this port.
 */
public interface AccessGateway {

  /** The account's name when the 12-digit id is an account of the organization. */
  Optional<String> findAccount(String accountId);

  /** The Identity Center user id of a user name. */
  Optional<String> findUserId(String userName);

  /** The ARN of a permission set by its name. */
  Optional<String> findPermissionSetArn(String name);

  /**
   * Assigns the permission set to the user in the account and waits until AWS reports the
   * assignment SUCCEEDED. Idempotent: an assignment that is already there is success.
   *
   * @throws AccessRejectedException when AWS rejects the assignment for a business reason
   *     (account, user or permission set no longer exists)
   * @throws AccessOperationException on FAILED status, time-out or technical errors (retry)
   */
  OperationResult grant(Assignment assignment);

  /** Removes the assignment and waits until AWS reports SUCCEEDED. Missing is success. */
  OperationResult revoke(Assignment assignment);

  /**
   * {@link #revoke(Assignment)} of access that was due to end at {@code due}, because of
   * {@code trigger} ({@code expiry}: its end; {@code requested}: an entitled actor asked): the
   * adapter measures how late the removal reaches AWS (metric {@code airlock.revoke.lateness}).
   */
  default OperationResult revoke(Assignment assignment, java.time.Instant due, String trigger) {
    return revoke(assignment);
  }

  /** Whether the assignment exists in AWS right now. */
  boolean isAssigned(Assignment assignment);

  /** One account assignment: a user, a permission set, an account. */
  record Assignment(String accountId, String permissionSetArn, String principalId) {}

  /**
   * What AWS answered: the id of the asynchronous request (null when nothing had to change),
   * its final status, and the ids of the API calls made, for the audit log.
   */
  record OperationResult(String operationId, String status, boolean alreadyInPlace, java.util.List<String> awsRequestIds) {}
}
