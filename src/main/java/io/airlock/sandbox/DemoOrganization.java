package io.airlock.sandbox;

import java.util.List;
import java.util.Map;

/** The fixed, deterministic organization the sandbox is seeded with. */
public final class DemoOrganization {

    private DemoOrganization() {
    }

    public static final String ORGANIZATION_ID = "o-airlock0001";

    /** The S3 bucket, created with Object Lock enabled, that Airlock ships its audit log to. */
    public static final String AUDIT_BUCKET = "airlock-audit";

    public static final String MANAGEMENT_ACCOUNT_ID = "111111111111";
    public static final String SANDBOX_ACCOUNT_ID = "222222222222";
    public static final String STAGING_ACCOUNT_ID = "333333333333";
    public static final String PRODUCTION_ACCOUNT_ID = "444444444444";

    public static final String INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-7223000000000001";
    public static final String IDENTITY_STORE_ID = "d-9067000001";

    public static final String ALICE_USER_ID = "9067c0de-a11c-4e00-8000-000000000001";
    public static final String BOB_USER_ID = "9067c0de-b0b0-4e00-8000-000000000002";
    public static final String CAROL_USER_ID = "9067c0de-ca01-4e00-8000-000000000003";
    public static final String DAVE_USER_ID = "9067c0de-da5e-4e00-8000-000000000004";
    public static final String ERIN_USER_ID = "9067c0de-e1e0-4e00-8000-000000000005";

    public static final String DEVELOPERS_GROUP_ID = "9067c0de-6a00-4d00-9000-000000000001";
    public static final String PLATFORM_GROUP_ID = "9067c0de-6a00-4d00-9000-000000000002";
    public static final String AUDITORS_GROUP_ID = "9067c0de-6a00-4d00-9000-000000000003";

    public static final String READ_ONLY_PERMISSION_SET_ARN =
            "arn:aws:sso:::permissionSet/ssoins-7223000000000001/ps-72230000000000a1";
    public static final String VIEW_ONLY_PERMISSION_SET_ARN =
            "arn:aws:sso:::permissionSet/ssoins-7223000000000001/ps-72230000000000a2";
    public static final String POWER_USER_PERMISSION_SET_ARN =
            "arn:aws:sso:::permissionSet/ssoins-7223000000000001/ps-72230000000000a3";
    public static final String ADMINISTRATOR_PERMISSION_SET_ARN =
            "arn:aws:sso:::permissionSet/ssoins-7223000000000001/ps-72230000000000a4";

    /** The organization's root and organizational units (the demo's OU tree). */
    public static final String ROOT_ID = "r-ai01";
    public static final String WORKLOADS_OU_ID = "ou-ai01-workload";
    public static final String PROD_OU_ID = "ou-ai01-prod0001";
    public static final String NON_PROD_OU_ID = "ou-ai01-nonprod1";

    /** An organizational unit: id, name, parent (the root or another OU). */
    public record SeedOu(String id, String name, String parentId) {
    }

    public static final List<SeedOu> OUS = List.of(
            new SeedOu(WORKLOADS_OU_ID, "Workloads", ROOT_ID),
            new SeedOu(PROD_OU_ID, "Prod", WORKLOADS_OU_ID),
            new SeedOu(NON_PROD_OU_ID, "NonProd", WORKLOADS_OU_ID));

    /** An account, the root or OU it sits in, and its tags. */
    public record SeedAccount(String id, String name, String email, String parentId, Map<String, String> tags) {
    }

    public record SeedUser(String userId, String userName, String givenName, String familyName,
                           String displayName, String email) {
    }

    public record SeedGroup(String groupId, String displayName, String description, List<String> memberUserIds) {
    }

    public record SeedPermissionSet(String arn, String name, String description, String sessionDuration,
                                    String managedPolicyArn) {
    }

    public static final List<SeedAccount> ACCOUNTS = List.of(
            new SeedAccount(MANAGEMENT_ACCOUNT_ID, "management", "aws+management@airlock.example", ROOT_ID,
                    Map.of("environment", "management", "owner", "platform")),
            new SeedAccount(SANDBOX_ACCOUNT_ID, "sandbox", "aws+sandbox@airlock.example", NON_PROD_OU_ID,
                    Map.of("environment", "sandbox", "owner", "developers")),
            new SeedAccount(STAGING_ACCOUNT_ID, "staging", "aws+staging@airlock.example", NON_PROD_OU_ID,
                    Map.of("environment", "staging", "owner", "developers")),
            new SeedAccount(PRODUCTION_ACCOUNT_ID, "production", "aws+production@airlock.example", PROD_OU_ID,
                    Map.of("environment", "production", "owner", "platform", "data-classification", "confidential")));

    public static final List<SeedUser> USERS = List.of(
            new SeedUser(ALICE_USER_ID, "alice", "Alice", "Anderson", "Alice Anderson", "alice@airlock.example"),
            new SeedUser(BOB_USER_ID, "bob", "Bob", "Brown", "Bob Brown", "bob@airlock.example"),
            new SeedUser(CAROL_USER_ID, "carol", "Carol", "Chen", "Carol Chen", "carol@airlock.example"),
            new SeedUser(DAVE_USER_ID, "dave", "Dave", "Davis", "Dave Davis", "dave@airlock.example"),
            new SeedUser(ERIN_USER_ID, "erin", "Erin", "Evans", "Erin Evans", "erin@airlock.example"));

    public static final List<SeedGroup> GROUPS = List.of(
            new SeedGroup(DEVELOPERS_GROUP_ID, "Developers", "Application developers",
                    List.of(ALICE_USER_ID, ERIN_USER_ID)),
            new SeedGroup(PLATFORM_GROUP_ID, "Platform", "Platform and infrastructure engineers",
                    List.of(BOB_USER_ID, DAVE_USER_ID)),
            new SeedGroup(AUDITORS_GROUP_ID, "Auditors", "Security and compliance auditors",
                    List.of(CAROL_USER_ID)));

    public static final List<SeedPermissionSet> PERMISSION_SETS = List.of(
            new SeedPermissionSet(READ_ONLY_PERMISSION_SET_ARN, "ReadOnlyAccess",
                    "Read-only access to all AWS services and resources", "PT1H",
                    "arn:aws:iam::aws:policy/ReadOnlyAccess"),
            new SeedPermissionSet(VIEW_ONLY_PERMISSION_SET_ARN, "ViewOnlyAccess",
                    "View resources and basic metadata across AWS services", "PT1H",
                    "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
            new SeedPermissionSet(POWER_USER_PERMISSION_SET_ARN, "PowerUserAccess",
                    "Full access to AWS services except IAM and Organizations management", "PT1H",
                    "arn:aws:iam::aws:policy/PowerUserAccess"),
            new SeedPermissionSet(ADMINISTRATOR_PERMISSION_SET_ARN, "AdministratorAccess",
                    "Full access to AWS services and resources", "PT1H",
                    "arn:aws:iam::aws:policy/AdministratorAccess"));
}
