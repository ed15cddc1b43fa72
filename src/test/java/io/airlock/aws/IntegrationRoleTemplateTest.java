package io.airlock.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.aws.IntegrationRoleTemplate.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What a security reviewer checks in the integration role template
 * ({@code src/main/cloudformation/airlock-integration-role.yaml}), without AWS and without a
 * Spring context: who may assume the role, which actions it grants on which resources, and
 * under which conditions.
 *
 * <p>Facts about AWS come from the Service Authorization Reference (SAR):
 * <a href="https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiamidentitycenter.html">sso</a>,
 * <a href="https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentitystore.html">identitystore</a>,
 * <a href="https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html">organizations</a>,
 * <a href="https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html">iam</a>.
 */
class IntegrationRoleTemplateTest {

  static final String TRUSTED = "arn:aws:iam::222222222222:role/airlock-app";
  static final String EXTERNAL_ID = "airlock-test-external-id-7f3c9a";
  static final String INSTANCE_ID = "ssoins-7223000000000001";
  static final String INSTANCE = "arn:aws:sso:::instance/" + INSTANCE_ID;
  static final String IDENTITY_STORE = "d-9067c0de11";
  static final String ORGANIZATION = "o-a1b2c3d4e5";
  static final String ACCOUNT = IntegrationRoleTemplate.ACCOUNT_ID;

  static final Map<String, String> PARAMETERS = Map.of(
      "TrustedPrincipalArn", TRUSTED,
      "ExternalId", EXTERNAL_ID,
      "IdentityCenterInstanceArn", INSTANCE,
      "IdentityStoreId", IDENTITY_STORE,
      "OrganizationId", ORGANIZATION);

  /** The API operations Airlock's adapter calls: what the wire shows, nothing more. */
  static final Set<String> WIRE_ACTIONS = Set.of(
      "sso:ListInstances", "sso:ListPermissionSets", "sso:DescribePermissionSet", "sso:ListTagsForResource",
      "sso:GetInlinePolicyForPermissionSet", "sso:ListManagedPoliciesInPermissionSet",
      "sso:ListPermissionSetsProvisionedToAccount", "sso:ListAccountsForProvisionedPermissionSet",
      "sso:ListAccountAssignments", "sso:CreateAccountAssignment", "sso:DescribeAccountAssignmentCreationStatus",
      "sso:DeleteAccountAssignment", "sso:DescribeAccountAssignmentDeletionStatus", "sso:CreatePermissionSet",
      "sso:PutInlinePolicyToPermissionSet", "sso:DeleteInlinePolicyFromPermissionSet", "sso:ProvisionPermissionSet",
      "sso:DescribePermissionSetProvisioningStatus", "sso:DeletePermissionSet",
      "identitystore:GetUserId", "identitystore:ListUsers", "identitystore:ListGroups",
      "identitystore:ListGroupMemberships",
      "organizations:DescribeAccount", "organizations:ListParents",
      "organizations:ListTagsForResource", "organizations:ListRoots",
      "organizations:ListOrganizationalUnitsForParent", "organizations:ListAccountsForParent",
      "cloudtrail:LookupEvents");

  /**
   * Not called by Airlock: what IAM Identity Center requires of the caller to create or delete
   * an assignment in the management account ("Example 2" and its note,
   * https://docs.aws.amazon.com/singlesignon/latest/userguide/iam-auth-access-using-id-policies.html).
   */
  static final Set<String> MANAGEMENT_ACCOUNT_ACTIONS = Set.of(
      "iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
      "iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:PutRolePolicy", "iam:UpdateRole",
      "iam:UpdateRoleDescription", "iam:GetSAMLProvider", "iam:ListRoles", "iam:ListPolicies");

  /** Actions for which the SAR lists no resource type: "*" is the only valid Resource. */
  static final Map<String, String> RESOURCE_STAR_ONLY = Map.of(
      "sso:ListInstances", "SAR sso: ListInstances has no resource type",
      "organizations:ListRoots", "SAR organizations: ListRoots has no resource type",
      "cloudtrail:LookupEvents", "SAR cloudtrail: LookupEvents has no resource type",
      "iam:ListRoles", "SAR iam: ListRoles has no resource type",
      "iam:ListPolicies", "SAR iam: ListPolicies has no resource type");

  /** The permission set actions that change what a permission set grants, or delete it. */
  static final Set<String> MANAGED_ONLY = Set.of(
      "sso:PutInlinePolicyToPermissionSet", "sso:DeleteInlinePolicyFromPermissionSet", "sso:ProvisionPermissionSet",
      "sso:DeletePermissionSet");

  static final Set<String> AIRLOCK_TAG_KEYS = Set.of("airlock:managed", "airlock:request-id");

  /**
   * Condition keys each action supports, per the SAR (the action's own keys plus the keys of its
   * resource types: PermissionSet supports aws:ResourceTag/${TagKey}). A statement may only use
   * keys every one of its actions supports.
   */
  static final Map<String, Set<String>> SUPPORTED_CONDITION_KEYS = Map.of(
      "sso:CreatePermissionSet", Set.of("aws:RequestTag/", "aws:TagKeys", "aws:ResourceTag/"),
      "sso:PutInlinePolicyToPermissionSet", Set.of("aws:ResourceTag/"),
      "sso:DeleteInlinePolicyFromPermissionSet", Set.of("aws:ResourceTag/"),
      "sso:ProvisionPermissionSet", Set.of("aws:ResourceTag/"),
      "sso:DeletePermissionSet", Set.of("aws:ResourceTag/"),
      "sts:AssumeRole", Set.of("sts:ExternalId"));

  final IntegrationRoleTemplate template = IntegrationRoleTemplate.load(PARAMETERS);

  // ---- who may assume the role -----------------------------------------------------------

  @Test
  void onlyAirlocksPrincipalMayAssumeTheRoleAndOnlyWithTheExternalId() {
    assertThat(template.trustPolicy()).singleElement().satisfies(s -> {
      assertThat(s.effect()).isEqualTo("Allow");
      assertThat(s.principal()).isEqualTo(Map.of("AWS", TRUSTED));
      assertThat(s.actions()).containsExactly("sts:AssumeRole");
      assertThat(s.notActions()).isEmpty();
      assertThat(s.conditions()).isEqualTo(Map.of("StringEquals", Map.of("sts:ExternalId", List.of(EXTERNAL_ID))));
    });
  }

  @Test
  void theTrustedPrincipalMustBeOneRoleOrUserNeverAWildcardOrAnAccount() {
    for (String principal : List.of("*", "arn:aws:iam::222222222222:root", "222222222222",
        "arn:aws:iam::222222222222:role/*", "arn:aws:iam::*:role/airlock-app")) {
      assertThatThrownBy(() -> load("TrustedPrincipalArn", principal))
          .as(principal).hasMessageContaining("TrustedPrincipalArn");
    }
  }

  @Test
  void theExternalIdIsSecretAndAtLeastSixteenCharacters() {
    Map<String, Object> definition = template.parameterDefinition("ExternalId");
    assertThat(definition).containsEntry("NoEcho", true);
    assertThat(((Number) definition.get("MinLength")).intValue()).isGreaterThanOrEqualTo(16);
    assertThatThrownBy(() -> load("ExternalId", "fifteen-chars-x")).hasMessageContaining("MinLength");
    assertThat(template.outputs().toString()).doesNotContain(EXTERNAL_ID);
  }

  // ---- what the role may do --------------------------------------------------------------

  @Test
  void theRoleGrantsExactlyTheOperationsAirlockCalls() {
    assertThat(template.wireActions()).isEqualTo(new TreeSet<>(WIRE_ACTIONS));
  }

  @Test
  void theOnlyOtherActionsAreWhatAwsRequiresForAssignmentsInTheManagementAccount() {
    assertThat(template.nonWireActions()).isEqualTo(new TreeSet<>(MANAGEMENT_ACCOUNT_ACTIONS));
    assertThat(template.allowedActions()).hasSize(WIRE_ACTIONS.size() + MANAGEMENT_ACCOUNT_ACTIONS.size());

    IntegrationRoleTemplate without = load("AllowManagementAccountAssignments", "false");
    assertThat(without.allowedActions()).isEqualTo(new TreeSet<>(WIRE_ACTIONS));
    assertThat(without.nonWireActions()).isEmpty();
  }

  @Test
  void everyActionIsOfIamIdentityCenterIdentityStoreOrganizationsAndIamOnlyOffTheWire() {
    for (Statement s : template.statements()) {
      Set<String> services = s.actions().stream().map(a -> a.substring(0, a.indexOf(':'))).collect(Collectors.toSet());
      assertThat(services).as(s.sid()).isSubsetOf(s.onTheWire()
          ? Set.of("sso", "identitystore", "organizations", "cloudtrail")
          : Set.of("iam"));
    }
  }

  @Test
  void noWildcardActionsNoNegationsNoDenyTricks() {
    assertThat(template.statements()).allSatisfy(s -> {
      assertThat(s.effect()).as(s.sid()).isEqualTo("Allow");
      assertThat(s.actions()).as(s.sid()).isNotEmpty().noneMatch(a -> a.contains("*") || a.contains("?"));
      assertThat(s.notActions()).as(s.sid()).isEmpty();
      assertThat(s.notResources()).as(s.sid()).isEmpty();
      assertThat(s.principal()).as(s.sid()).isNull();
    });
  }

  @Test
  void resourceStarOnlyForActionsWithoutResourceLevelPermissions() {
    List<Statement> star = template.statements().stream().filter(s -> s.resources().contains("*")).toList();
    assertThat(star).isNotEmpty().allSatisfy(s -> {
      assertThat(s.resources()).as(s.sid()).containsExactly("*");
      assertThat(s.actions()).as(s.sid()).allMatch(RESOURCE_STAR_ONLY::containsKey);
      assertThat(s.conditions()).as(s.sid()).isEmpty();
    });
  }

  @Test
  void everyResourceIsThisInstanceItsPermissionSetsItsAccountsItsIdentityStoreOrThisOrganization() {
    Set<String> expected = Set.of(
        "*",
        INSTANCE,
        "arn:aws:sso:::permissionSet/" + INSTANCE_ID + "/*",
        "arn:aws:sso:::account/*",
        "arn:aws:identitystore::" + ACCOUNT + ":identitystore/" + IDENTITY_STORE,
        "arn:aws:identitystore:::user/*",
        "arn:aws:identitystore:::group/*",
        "arn:aws:identitystore:::membership/*",
        "arn:aws:organizations::" + ACCOUNT + ":account/" + ORGANIZATION + "/*",
        "arn:aws:organizations::" + ACCOUNT + ":ou/" + ORGANIZATION + "/ou-*",
        "arn:aws:organizations::" + ACCOUNT + ":root/" + ORGANIZATION + "/r-*",
        "arn:aws:iam::" + ACCOUNT + ":role/aws-reserved/sso.amazonaws.com/*",
        "arn:aws:iam::" + ACCOUNT + ":saml-provider/AWSSSO_*_DO_NOT_DELETE");
    Set<String> resources = template.statements().stream().flatMap(s -> s.resources().stream())
        .collect(Collectors.toSet());
    assertThat(resources).isEqualTo(expected);
  }

  @Test
  void inADelegatedAdministratorAccountTheIdentityStoreAndAccountsAreTheManagementAccounts() {
    IntegrationRoleTemplate delegated = load("ManagementAccountId", "333333333333");
    Set<String> resources = delegated.statements().stream().flatMap(s -> s.resources().stream())
        .collect(Collectors.toSet());
    assertThat(resources)
        .contains("arn:aws:identitystore::333333333333:identitystore/" + IDENTITY_STORE,
            "arn:aws:organizations::333333333333:account/" + ORGANIZATION + "/*")
        .noneMatch(r -> r.startsWith("arn:aws:identitystore::" + ACCOUNT) || r.startsWith("arn:aws:organizations::" + ACCOUNT));
  }

  // ---- only Airlock's own permission sets can be changed ---------------------------------

  @Test
  void changingTaggingOrDeletingAPermissionSetRequiresTheAirlockManagedTag() {
    List<Statement> onPermissionSets = template.statements().stream()
        .filter(s -> s.actions().stream().anyMatch(MANAGED_ONLY::contains))
        .filter(s -> s.resources().stream().anyMatch(IntegrationRoleTemplateTest::coversAPermissionSet))
        .toList();
    assertThat(onPermissionSets.stream().flatMap(s -> s.actions().stream()).collect(Collectors.toSet()))
        .containsAll(MANAGED_ONLY);
    assertThat(onPermissionSets).allSatisfy(s ->
        assertThat(s.condition("StringEquals", "aws:ResourceTag/airlock:managed")).as(s.sid()).containsExactly("true"));
  }

  @Test
  void creatingAPermissionSetRequiresTaggingItAirlockManagedInTheSameCall() {
    List<Statement> creating = template.statements().stream()
        .filter(s -> s.actions().contains("sso:CreatePermissionSet")).toList();
    assertThat(creating).isNotEmpty().allSatisfy(s -> {
      assertThat(s.condition("StringEquals", "aws:RequestTag/airlock:managed")).as(s.sid()).containsExactly("true");
      assertThat(s.condition("ForAllValues:StringEquals", "aws:TagKeys")).as(s.sid())
          .isNotEmpty().allMatch(AIRLOCK_TAG_KEYS::contains);
    });
  }

  @Test
  void statementsWithoutTheTagConditionReachNoPermissionSetForTheManagedOnlyActions() {
    assertThat(template.statements().stream()
        .filter(s -> s.actions().stream().anyMatch(MANAGED_ONLY::contains))
        .filter(s -> s.condition("StringEquals", "aws:ResourceTag/airlock:managed").isEmpty()))
        .allSatisfy(s -> assertThat(s.resources()).as(s.sid())
            .noneMatch(IntegrationRoleTemplateTest::coversAPermissionSet)
            .allMatch(r -> r.equals(INSTANCE) || r.equals("arn:aws:sso:::account/*")));
  }

  @Test
  void conditionKeysAreOnlyThoseTheActionsSupport() {
    for (Statement s : concat(template.trustPolicy(), template.statements())) {
      for (String key : s.conditionKeys()) {
        for (String action : s.actions()) {
          assertThat(SUPPORTED_CONDITION_KEYS.getOrDefault(action, Set.of()))
              .as("%s: %s with %s", s.sid(), action, key)
              .anyMatch(supported -> supported.endsWith("/") ? key.startsWith(supported) : key.equals(supported));
        }
      }
    }
  }

  // ---- the role itself -------------------------------------------------------------------

  @Test
  void theRoleHasOnlyItsInlinePoliciesAndSessionsAirlockCanUse() {
    Map<String, Object> role = template.roleProperties();
    assertThat(role).doesNotContainKeys("ManagedPolicyArns");
    assertThat(role).containsEntry("RoleName", "AirlockIntegration");
    // Airlock asks STS for 3600 s (AwsClientsConfiguration): never below what it asks for.
    assertThat(template.parameterDefinition("MaxSessionDuration"))
        .containsEntry("Default", 3600).containsEntry("MinValue", 3600);
    assertThat(template.statements()).extracting(Statement::sid).doesNotHaveDuplicates().doesNotContainNull();
  }

  @Test
  void theInlinePoliciesFitIamsSizeLimit() throws Exception {
    // IAM: a role's inline policies together, whitespace not counted, at most 10,240 characters.
    String json = new ObjectMapper().writeValueAsString(template.policyDocuments().values());
    assertThat(json.length()).isLessThan(10_240);
  }

  @Test
  void theOutputsTellHowAirlockUsesTheRole() {
    assertThat(template.outputs()).containsKeys("RoleArn", "ExternalIdUsage");
    assertThat(template.outputs().get("ExternalIdUsage").toString())
        .contains("airlock.aws.role-arn", "airlock.aws.external-id", "sts:AssumeRole");
  }

  // ---- helpers ---------------------------------------------------------------------------

  static IntegrationRoleTemplate load(String parameter, String value) {
    Map<String, String> parameters = new HashMap<>(PARAMETERS);
    parameters.put(parameter, value);
    return IntegrationRoleTemplate.load(parameters);
  }

  /** Whether an ARN pattern matches some permission set ARN ("*" and wildcards included). */
  static boolean coversAPermissionSet(String resource) {
    String example = "arn:aws:sso:::permissionSet/" + INSTANCE_ID + "/ps-0123456789abcdef";
    String regex = ("\\Q" + resource + "\\E").replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
    return example.matches(regex);
  }

  static List<Statement> concat(List<Statement> a, List<Statement> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }
}
