package io.airlock.explorer;

import java.time.Instant;
import java.util.List;

/**
 * Who has what, where, from the last inventory scan: a principal (user or group), an account
 * and a permission set with its policies, and whether Airlock granted it (the request and when
 * the access ends) or it is standing access from outside Airlock.
 */
public record PermissionMapping(
    String principalType,
    String principalId,
    String principalName,
    String accountId,
    String accountName,
    String permissionSetArn,
    String permissionSetName,
    List<String> managedPolicies,
    String inlinePolicy,
    Source source,
    String requestId,
    Instant endsAt) {

  public enum Source { AIRLOCK, STANDING }
}
