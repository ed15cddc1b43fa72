package io.airlock.explorer;

import java.time.Instant;
import java.util.List;

/**
 * Who has what, where: a principal (user or group), an account and a permission set with its
 * policies, and whether Airlock granted it or it is standing access from outside Airlock.
 * <ul>
 *   <li>AIRLOCK: a request of Airlock's holds it now, read live from Airlock's request table
 *       ({@code requestId}, {@code requestStatus} ACTIVE, or GRANTING / REVOKING for the seconds
 *       AWS takes, {@code endsAt}, {@code breakGlass} when granted at once as break-glass);
 *   <li>STANDING: the last scan found it in AWS and no request of Airlock's holds it.
 * </ul>
 * {@code scannedAt} is when the scan that saw the assignment finished; null for a grant of
 * Airlock's made since the last scan.
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
    Instant endsAt,
    String requestStatus,
    boolean breakGlass,
    Instant scannedAt) {

  public enum Source { AIRLOCK, STANDING }
}
