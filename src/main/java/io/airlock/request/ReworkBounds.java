package io.airlock.request;

import io.airlock.inventory.Inventory;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A rework never widens. Its account is the original's (a rework names no account), and its
 * permission is <em>within the original's</em> when it is the same permission set (for a
 * crafted original: the same crafted policy, i.e. a rework that names no permission), or when
 * the original is AWS's {@code AdministratorAccess} alone (that managed policy, no inline
 * policy), which allows every action on every resource, so that any permission set is within it.
 *
 * <p>Anything else counts as wider, because Airlock cannot show it is not: AWS's managed
 * policies are not nested in one another ({@code ReadOnlyAccess} reads IAM, which
 * {@code PowerUserAccess} may not), and a set's customer managed policies and permissions
 * boundary are not in Airlock's scan, so even a set whose scanned policies are among the
 * original's may allow more. Wider access is asked for as a new request, judged by policy and
 * review on its own.
 */
public final class ReworkBounds {

  /** AWS's managed policy that allows every action on every resource. */
  public static final String ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess";

  private ReworkBounds() {}

  /**
   * Why {@code wanted} is wider than {@code original}, in words; empty when it is within. Either
   * set may be null: Airlock does not know it (not in its scan, or a crafted policy).
   *
   * @param originalName the original's permission as the request names it
   * @param original the original's permission set as the inventory knows it (null: unknown or crafted)
   * @param wantedName the permission the rework names
   * @param wanted that permission set as the inventory knows it (null: unknown)
   */
  public static Optional<String> wider(String originalName, Inventory.PermissionSet original, String wantedName,
      Inventory.PermissionSet wanted) {
    if (wanted != null && original != null && Objects.equals(wanted.arn(), original.arn())
        || originalName != null && originalName.equals(wantedName)) {
      return Optional.empty();
    }
    if (originalName != null && originalName.startsWith("craft:")) {
      return Optional.of("this access is a crafted policy; a permission set in its place counts as wider");
    }
    if (original != null && administratorAlone(original)) {
      return Optional.empty();
    }
    return Optional.of("'" + wantedName + "' is not within '" + originalName + "': a rework keeps the permission set, "
        + "or narrows AdministratorAccess; any other permission set may allow more");
  }

  /** AdministratorAccess and nothing that could narrow it: no inline policy, no other managed policy. */
  static boolean administratorAlone(Inventory.PermissionSet set) {
    List<String> managed = set.managedPolicies() == null ? List.of() : set.managedPolicies();
    return managed.equals(List.of(ADMINISTRATOR_ACCESS)) && (set.inlinePolicy() == null || set.inlinePolicy().isBlank());
  }
}
