package io.airlock.sandbox;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How large an organization the emulator seeds beside the demo one
 * ({@code airlock.aws.sandbox.organization.*}; all counts 0, the default: the demo organization
 * alone). The organization is a formula of these counts, the same at every start
 * ({@link ScaledOrganization}).
 *
 * @param accounts                 member accounts, at most AWS's 10,000 per organization
 * @param ouFanOut                 organizational units under the root and under each OU
 * @param ouDepth                  how deep the OUs nest, 1..5 (AWS's limit)
 * @param users                    Identity Center users
 * @param groups                   groups; each user is a member of two
 * @param permissionSets           permission sets, at most AWS's 500 per instance (raisable)
 * @param permissionSetsPerAccount permission sets provisioned to each account
 * @param assignments              account assignments in all, spread evenly over the accounts;
 *                                 one in five to a user, the others to groups
 */
@ConfigurationProperties(prefix = "airlock.aws.sandbox.organization")
public record OrganizationScale(@DefaultValue("0") int accounts, @DefaultValue("5") int ouFanOut,
                                @DefaultValue("3") int ouDepth, @DefaultValue("0") int users,
                                @DefaultValue("0") int groups, @DefaultValue("0") int permissionSets,
                                @DefaultValue("5") int permissionSetsPerAccount,
                                @DefaultValue("0") int assignments) {

    /** The demo organization alone. */
    public static final OrganizationScale DEMO = new OrganizationScale(0, 5, 3, 0, 0, 0, 5, 0);

    /** The organization: 10,000 accounts, 50,000 users, 2,000 groups, 500 permission sets, 200,000 assignments. */
    public static final OrganizationScale LARGEST = new OrganizationScale(10_000, 5, 3, 50_000, 2_000, 500, 5,
            200_000);

    public OrganizationScale {
        check(accounts >= 0 && accounts <= 10_000, "accounts must be 0..10000 (AWS's organization maximum)");
        check(ouFanOut >= 1, "ou-fan-out must be positive");
        check(ouDepth >= 1 && ouDepth <= 5, "ou-depth must be 1..5 (Organizations nests OUs five deep)");
        check(users >= 0 && groups >= 0 && assignments >= 0, "counts must not be negative");
        check(permissionSets >= 0 && permissionSets <= 10_000, "permission-sets must be 0..10000");
        check(permissionSetsPerAccount >= 1, "permission-sets-per-account must be positive");
        check(assignments == 0 || accounts > 0 && permissionSets > 0 && (users > 0 || groups > 0),
                "assignments need accounts, permission sets and users or groups");
    }

    /** The same organization scaled by {@code factor} (accounts, users, groups, assignments), e.g. a tenth. */
    public OrganizationScale scaled(double factor) {
        return new OrganizationScale((int) Math.round(accounts * factor), ouFanOut, ouDepth,
                (int) Math.round(users * factor), (int) Math.max(groups > 0 ? 1 : 0, Math.round(groups * factor)),
                permissionSets, permissionSetsPerAccount, (int) Math.round(assignments * factor));
    }

    boolean demoOnly() {
        return accounts == 0 && users == 0 && groups == 0 && permissionSets == 0;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("airlock.aws.sandbox.organization: " + message);
        }
    }
}
