package io.airlock.request;

import io.airlock.request.AccessGateway.Assignment;
import io.airlock.request.AccessGateway.OperationResult;
import java.time.Instant;
import java.util.List;

/**
 * What crafting needs from the access system: turn a {@link CraftSpec} into a validated IAM
 * policy, and create, provision and delete the permission sets that carry such policies.
 * Implemented by the AWS adapter; no SDK type crosses this port.
 */
public interface CraftingGateway {

  /**
   * Renders the spec as an IAM policy document (JSON).
   *
   * @throws InvalidRequestException naming each wrong field ({@code craft.template},
   *     {@code craft.buckets}, {@code craft.services}, {@code craft.policy})
   */
  String render(CraftSpec spec);

  /**
   * Creates the permission set with its tags and inline policy and returns its ARN. Calls
   * {@code onCreated} as soon as AWS has created it, before anything else can fail, so the
   * caller can record it.
   */
  String create(NewPermissionSet spec, java.util.function.Consumer<String> onCreated);

  /** Provisions the permission set to the account and waits for SUCCEEDED. */
  OperationResult provision(String permissionSetArn, String accountId);

  /** Whether the permission set exists. */
  boolean exists(String permissionSetArn);

  /** Deletes the permission set; returns false when it was already gone. */
  boolean delete(String permissionSetArn);

  /** Every assignment of the permission set, in every account it is provisioned to. */
  List<Assignment> assignmentsOf(String permissionSetArn);

  /** A permission set to create for one request. */
  record NewPermissionSet(String name, String description, String sessionDuration, String policy,
      String requestId, String requester) {}

  /** A permission set Airlock crafted, as AWS knows it. */
  record Crafted(String arn, String name, String requestId, Instant createdAt) {}
}
