package io.airlock.aws;

import static io.airlock.sandbox.DemoOrganization.ALICE_USER_ID;
import static io.airlock.sandbox.DemoOrganization.AUDITORS_GROUP_ID;
import static io.airlock.sandbox.DemoOrganization.IDENTITY_STORE_ID;
import static io.airlock.sandbox.DemoOrganization.INSTANCE_ARN;
import static io.airlock.sandbox.DemoOrganization.MANAGEMENT_ACCOUNT_ID;
import static io.airlock.sandbox.DemoOrganization.READ_ONLY_PERMISSION_SET_ARN;
import static io.airlock.sandbox.DemoOrganization.SANDBOX_ACCOUNT_ID;
import static io.airlock.sandbox.DemoOrganization.STAGING_ACCOUNT_ID;
import static io.airlock.sandbox.DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryChanges;
import io.airlock.inventory.InventoryScanSettings;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.SandboxSettings;
import io.airlock.sandbox.SandboxState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.identitystore.IdentitystoreClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;

/**
 * What an incremental scan reads for each kind of write event in CloudTrail's history, against
 * the emulator over HTTP: Identity Center's and the identity store's writes are recorded by the
 * emulator as AWS records them; Organizations' (the emulator takes no writes for it) are recorded
 * by the test as AWS would.
 */
class IncrementalScanTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static AwsSandbox sandbox;
  static SsoAdminClient ssoAdmin;
  static IdentitystoreClient identityStore;
  static OrganizationsClient organizations;
  static CloudTrailClient cloudTrail;
  static IdentityCenterScanner scanner;

  Instant since;

  @BeforeAll
  static void start() {
    sandbox = AwsSandbox.start(SandboxSettings.defaults().withPort(0).withOperationDelay(Duration.ZERO));
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    ssoAdmin = SsoAdminClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    identityStore = IdentitystoreClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    organizations = OrganizationsClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    cloudTrail = CloudTrailClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    var properties = IdentityCenterAdapterTest.properties(Duration.ZERO);
    var adapter = new IdentityCenterAdapter(ssoAdmin, identityStore, organizations, properties);
    adapter.instance(); // discovered once, before the calls counted
    scanner = new IdentityCenterScanner(ssoAdmin, identityStore, organizations, adapter, properties,
        new InventoryScanSettings(0, 2, true, Duration.ofDays(1), Duration.ofMinutes(15)),
        new ChangeFeed(Map.of("us-east-1", cloudTrail)));
  }

  @AfterAll
  static void stop() {
    ssoAdmin.close();
    identityStore.close();
    organizations.close();
    cloudTrail.close();
    sandbox.close();
  }

  @BeforeEach
  void reset() {
    sandbox.state().reset();
    sandbox.cloudTrail().clear();
    since = Instant.now().minusSeconds(1);
  }

  @Test
  void anAssignmentCreatedOrDeletedThroughTheApiIsReadAgainInItsPairAlone() {
    ssoAdmin.createAccountAssignment(r -> r.instanceArn(INSTANCE_ARN).targetId(STAGING_ACCOUNT_ID)
        .targetType("AWS_ACCOUNT").permissionSetArn(READ_ONLY_PERMISSION_SET_ARN)
        .principalType("USER").principalId(ALICE_USER_ID));
    sandbox.state().resetCounters();

    InventoryChanges changes = changes();

    assertThat(changes.assignments()).containsOnlyKeys(
        new InventoryChanges.Pair(STAGING_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN));
    assertThat(changes.assignments().values().iterator().next()).contains(
        new Inventory.Assignment(STAGING_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, "USER", ALICE_USER_ID));
    assertThat(changes.accounts()).as("the tree, read every time").hasSize(sandbox.state().accounts().size());
    assertThat(changes.tagsRead()).isEmpty();
    assertThat(changes.users()).isNull();
    assertThat(changes.permissionSetArns()).isNull();
    assertThat(beyondTheTree()).isEqualTo(Map.of("LookupEvents", 1L, "ListAccountAssignments", 1L));
    assertThat(changes.awsCalls()).isEqualTo(2 + treeCalls());
    assertThat(changes.changesRead()).isEqualTo(1);
  }

  @Test
  void eventsBeforeTheWindowAndOfOtherServicesNameNothing() {
    ssoAdmin.createAccountAssignment(r -> r.instanceArn(INSTANCE_ARN).targetId(STAGING_ACCOUNT_ID)
        .targetType("AWS_ACCOUNT").permissionSetArn(READ_ONLY_PERMISSION_SET_ARN)
        .principalType("USER").principalId(ALICE_USER_ID));
    since = Instant.now().plusMillis(5);
    sleep(20);
    record("iam.amazonaws.com", "CreateRole", "{\"RoleName\":\"ops\"}");
    sandbox.state().resetCounters();

    InventoryChanges changes = changes();

    assertThat(changes.changesRead()).isZero();
    assertThat(changes.assignments()).isEmpty();
    assertThat(changes.tagsRead()).isEmpty();
    assertThat(changes.users()).isNull();
    assertThat(changes.permissionSetArns()).isNull();
    assertThat(beyondTheTree()).isEqualTo(Map.of("LookupEvents", 1L));
  }

  @Test
  void aMembershipAddedReadsThatGroupsMembersAndOneRemovedReadsEveryGroups() {
    String added = identityStore.createGroupMembership(r -> r.identityStoreId(IDENTITY_STORE_ID)
        .groupId(AUDITORS_GROUP_ID).memberId(m -> m.userId(ALICE_USER_ID))).membershipId();
    InventoryChanges afterAdd = changes();
    assertThat(afterAdd.users()).isNotNull().hasSize(sandbox.state().users().size());
    assertThat(afterAdd.groups()).isNotNull().hasSize(sandbox.state().groups().size());
    assertThat(afterAdd.memberships()).containsOnlyKeys(AUDITORS_GROUP_ID);
    assertThat(afterAdd.memberships().get(AUDITORS_GROUP_ID))
        .contains(new Inventory.Membership(AUDITORS_GROUP_ID, ALICE_USER_ID));

    since = Instant.now().minusMillis(1);
    identityStore.deleteGroupMembership(r -> r.identityStoreId(IDENTITY_STORE_ID).membershipId(added));
    InventoryChanges afterRemove = changes();
    assertThat(afterRemove.memberships().keySet()).as("DeleteGroupMembership names no group")
        .isEqualTo(sandbox.state().groups().stream().map(SandboxState.Group::groupId).collect(Collectors.toSet()));
    assertThat(afterRemove.memberships().get(AUDITORS_GROUP_ID))
        .doesNotContain(new Inventory.Membership(AUDITORS_GROUP_ID, ALICE_USER_ID));
  }

  @Test
  void theEmulatorsIdentityStoreRefusesADuplicateMembershipAndAnUnknownOne() {
    identityStore.createGroupMembership(r -> r.identityStoreId(IDENTITY_STORE_ID).groupId(AUDITORS_GROUP_ID)
        .memberId(m -> m.userId(ALICE_USER_ID)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> identityStore.createGroupMembership(r -> r
            .identityStoreId(IDENTITY_STORE_ID).groupId(AUDITORS_GROUP_ID).memberId(m -> m.userId(ALICE_USER_ID))))
        .isInstanceOf(software.amazon.awssdk.services.identitystore.model.ConflictException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> identityStore.deleteGroupMembership(r -> r
            .identityStoreId(IDENTITY_STORE_ID).membershipId(java.util.UUID.randomUUID().toString())))
        .isInstanceOf(software.amazon.awssdk.services.identitystore.model.ResourceNotFoundException.class);
  }

  @Test
  void aRetaggedAccountHasItsTagsReadTheOthersKeepTheirs() {
    record("organizations.amazonaws.com", "TagResource", "{\"ResourceId\":\"" + STAGING_ACCOUNT_ID
        + "\",\"Tags\":[{\"Key\":\"environment\",\"Value\":\"staging\"}]}");
    sandbox.state().resetCounters();

    InventoryChanges changes = changes();

    assertThat(changes.accounts()).extracting(Inventory.Account::accountId)
        .containsExactlyInAnyOrderElementsOf(sandbox.state().accounts().stream().map(SandboxState.Account::id)
            .toList());
    assertThat(changes.tagsRead()).containsExactly(STAGING_ACCOUNT_ID);
    assertThat(sandbox.state().callCount("ListTagsForResource")).isEqualTo(1);
    assertThat(changes.users()).isNull();
    assertThat(changes.assignments()).isEmpty();
  }

  @Test
  void aChangedPermissionSetIsReadAgainAndADeletedOneLeavesTheList() {
    record("sso.amazonaws.com", "PutInlinePolicyToPermissionSet", "{\"InstanceArn\":\"" + INSTANCE_ARN
        + "\",\"PermissionSetArn\":\"" + VIEW_ONLY_PERMISSION_SET_ARN + "\",\"InlinePolicy\":\"{}\"}");
    InventoryChanges changed = changes();
    assertThat(changed.permissionSets()).extracting(Inventory.PermissionSet::arn)
        .containsExactly(VIEW_ONLY_PERMISSION_SET_ARN);
    assertThat(changed.permissionSetArns()).contains(VIEW_ONLY_PERMISSION_SET_ARN, READ_ONLY_PERMISSION_SET_ARN);

    String gone = "arn:aws:sso:::permissionSet/ssoins-7223000000000001/ps-gone000000000001";
    record("sso.amazonaws.com", "DeleteAccountAssignment", "{\"InstanceArn\":\"" + INSTANCE_ARN
        + "\",\"TargetId\":\"" + SANDBOX_ACCOUNT_ID + "\",\"PermissionSetArn\":\"" + gone + "\"}");
    record("sso.amazonaws.com", "DeletePermissionSet", "{\"InstanceArn\":\"" + INSTANCE_ARN
        + "\",\"PermissionSetArn\":\"" + gone + "\"}");
    InventoryChanges deleted = changes(Set.of(gone));
    assertThat(deleted.permissionSetArns()).doesNotContain(gone);
    assertThat(deleted.permissionSets()).extracting(Inventory.PermissionSet::arn).doesNotContain(gone);
    assertThat(deleted.assignments()).containsEntry(new InventoryChanges.Pair(SANDBOX_ACCOUNT_ID, gone),
        java.util.List.of());
  }

  @Test
  void aTrailTheRoleMayNotReadLeavesTheScanToReadEverything() {
    sandbox.faults().failNextCalls("LookupEvents", 1, "AccessDeniedException", 400);

    assertThat(scanner.changesSince(since, known(Set.of()), () -> { })).isEmpty();
  }

  @Test
  void aTrailThatFailsOtherwiseFailsTheScanSoThePreviousInventoryStaysUntilTheNext() {
    sandbox.faults().failNextCalls("LookupEvents", 5, "InternalFailure", 500);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> scanner.changesSince(since, known(Set.of()), () -> { }))
        .isInstanceOf(io.airlock.request.AccessOperationException.class)
        .hasMessageContaining("CloudTrail's event history could not be read");
    assertThat(sandbox.state().callCount("ListUsers") + sandbox.state().callCount("ListAccountAssignments"))
        .as("nothing read instead").isZero();
  }

  @Test
  void aCallAwsRefusedAndRecordedNamesNothing() throws Exception {
    // CloudTrail records refused calls too, with errorCode: here a CreateAccountAssignment refused
    // for a malformed target (ValidationException). Read again, its pair would fail the scan (and
    // every incremental one after it, the window not moving) until the next full scan.
    String event = "{\"eventVersion\":\"1.09\",\"eventTime\":\"" + Instant.now() + "\","
        + "\"eventSource\":\"sso.amazonaws.com\",\"eventName\":\"CreateAccountAssignment\","
        + "\"awsRegion\":\"us-east-1\",\"errorCode\":\"ValidationException\","
        + "\"errorMessage\":\"1 validation error detected\",\"requestParameters\":{\"instanceArn\":\""
        + INSTANCE_ARN + "\",\"targetId\":\"12345\",\"targetType\":\"AWS_ACCOUNT\",\"permissionSetArn\":\""
        + READ_ONLY_PERMISSION_SET_ARN + "\",\"principalType\":\"USER\",\"principalId\":\"" + ALICE_USER_ID
        + "\"},\"responseElements\":null,\"readOnly\":false,\"eventType\":\"AwsApiCall\"}";
    sandbox.cloudTrail().record(MANAGEMENT_ACCOUNT_ID, "us-east-1", new io.airlock.sandbox.CloudTrailService.Event(
        java.util.UUID.randomUUID().toString(), "CreateAccountAssignment", "sso.amazonaws.com", Instant.now(), null,
        "ASIATEST00000001", false, java.util.List.of(), event));
    sandbox.state().resetCounters();

    InventoryChanges changes = changes();

    assertThat(changes.changesRead()).isZero();
    assertThat(changes.assignments()).isEmpty();
    assertThat(beyondTheTree()).isEqualTo(Map.of("LookupEvents", 1L));
  }

  @Test
  void aMembershipChangedByScimProvisioningIsReadAgain() {
    // An external IdP (Okta, Entra ID) provisions through SCIM: AWS records these calls with the
    // event source identitystore-scim.amazonaws.com (PatchGroup adds and removes members).
    record("identitystore-scim.amazonaws.com", "PatchGroup", "{\"groupId\":\"" + AUDITORS_GROUP_ID
        + "\",\"tenantId\":\"t-1\"}");

    InventoryChanges changes = changes();

    assertThat(changes.groups()).as("groups read again").isNotNull();
    assertThat(changes.memberships()).containsKey(AUDITORS_GROUP_ID);
  }

  /** The organization tree's calls, which every incremental scan makes. */
  static final Set<String> TREE = Set.of("ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent");

  /** The calls counted since the last reset, but the tree's. */
  private static Map<String, Long> beyondTheTree() {
    Map<String, Long> calls = new java.util.TreeMap<>(sandbox.state().callCounts());
    assertThat(calls).as("the organization's tree, read every time").containsKeys("ListRoots", "ListAccountsForParent");
    calls.keySet().removeAll(TREE);
    return calls;
  }

  private static int treeCalls() {
    return (int) TREE.stream().mapToLong(op -> sandbox.state().callCount(op)).sum();
  }

  private InventoryChanges changes() {
    return changes(Set.of());
  }

  private InventoryChanges changes(Set<String> alsoKnownSets) {
    return scanner.changesSince(since, known(alsoKnownSets), () -> { }).orElseThrow();
  }

  private static InventoryChanges.Known known(Set<String> alsoKnownSets) {
    Set<String> sets = new java.util.HashSet<>(alsoKnownSets);
    sandbox.state().permissionSets().forEach(p -> sets.add(p.arn()));
    return new InventoryChanges.Known(sandbox.state().accounts().stream().map(SandboxState.Account::id)
        .collect(Collectors.toSet()), sets);
  }

  private static void record(String source, String name, String request) {
    try {
      JsonNode parameters = JSON.readTree(request);
      sandbox.cloudTrail().recordChange(MANAGEMENT_ACCOUNT_ID, "us-east-1", source, name, "ASIATEST00000001",
          parameters, null);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
