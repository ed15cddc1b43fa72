package io.airlock.sandbox;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.identitystore.model.AlternateIdentifier;
import software.amazon.awssdk.services.identitystore.model.DescribeUserResponse;
import software.amazon.awssdk.services.identitystore.model.Filter;
import software.amazon.awssdk.services.identitystore.model.GroupMembership;
import software.amazon.awssdk.services.identitystore.model.ListUsersRequest;
import software.amazon.awssdk.services.identitystore.model.MemberId;
import software.amazon.awssdk.services.identitystore.model.UniqueAttribute;
import software.amazon.awssdk.services.identitystore.model.User;
import software.amazon.awssdk.services.organizations.model.Account;
import software.amazon.awssdk.services.organizations.model.AccountNotFoundException;
import software.amazon.awssdk.services.organizations.model.Organization;
import software.amazon.awssdk.services.ssoadmin.model.AccessDeniedException;
import software.amazon.awssdk.services.ssoadmin.model.AccountAssignment;
import software.amazon.awssdk.services.ssoadmin.model.AccountAssignmentOperationStatus;
import software.amazon.awssdk.services.ssoadmin.model.AttachedManagedPolicy;
import software.amazon.awssdk.services.ssoadmin.model.ConflictException;
import software.amazon.awssdk.services.ssoadmin.model.CreateAccountAssignmentResponse;
import software.amazon.awssdk.services.ssoadmin.model.InternalServerException;
import software.amazon.awssdk.services.ssoadmin.model.PermissionSet;
import software.amazon.awssdk.services.ssoadmin.model.PermissionSetProvisioningStatus;
import software.amazon.awssdk.services.ssoadmin.model.PrincipalType;
import software.amazon.awssdk.services.ssoadmin.model.ProvisionTargetType;
import software.amazon.awssdk.services.ssoadmin.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ssoadmin.model.StatusValues;
import software.amazon.awssdk.services.ssoadmin.model.Tag;
import software.amazon.awssdk.services.ssoadmin.model.TargetType;
import software.amazon.awssdk.services.ssoadmin.model.ThrottlingException;
import software.amazon.awssdk.services.ssoadmin.model.ValidationException;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import static io.airlock.sandbox.DemoOrganization.ALICE_USER_ID;
import static io.airlock.sandbox.DemoOrganization.BOB_USER_ID;
import static io.airlock.sandbox.DemoOrganization.DEVELOPERS_GROUP_ID;
import static io.airlock.sandbox.DemoOrganization.ERIN_USER_ID;
import static io.airlock.sandbox.DemoOrganization.IDENTITY_STORE_ID;
import static io.airlock.sandbox.DemoOrganization.INSTANCE_ARN;
import static io.airlock.sandbox.DemoOrganization.POWER_USER_PERMISSION_SET_ARN;
import static io.airlock.sandbox.DemoOrganization.READ_ONLY_PERMISSION_SET_ARN;
import static io.airlock.sandbox.DemoOrganization.SANDBOX_ACCOUNT_ID;
import static io.airlock.sandbox.DemoOrganization.STAGING_ACCOUNT_ID;
import static io.airlock.sandbox.DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AwsSandboxTest {

    private static final Duration DELAY = Duration.ofMillis(250);
    private static AwsSandbox sandbox;
    private static SdkClients aws;

    @BeforeAll
    static void start() {
        sandbox = AwsSandbox.start(new SandboxSettings(0, DELAY, 10_000, 15, "airlock-sandbox"));
        aws = new SdkClients(sandbox);
    }

    @AfterAll
    static void stop() {
        aws.close();
        sandbox.close();
    }

    @BeforeEach
    void resetSandbox() {
        sandbox.state().reset();
        sandbox.faults().reset();
    }

    // ------------------------------------------------------------------ helpers

    private static CreateAccountAssignmentResponse grant(String accountId, String psArn, String userId) {
        return aws.ssoAdmin.createAccountAssignment(r -> r.instanceArn(INSTANCE_ARN).targetId(accountId)
                .targetType(TargetType.AWS_ACCOUNT).permissionSetArn(psArn)
                .principalType(PrincipalType.USER).principalId(userId));
    }

    private static AccountAssignmentOperationStatus revoke(String accountId, String psArn, String userId) {
        return aws.ssoAdmin.deleteAccountAssignment(r -> r.instanceArn(INSTANCE_ARN).targetId(accountId)
                .targetType(TargetType.AWS_ACCOUNT).permissionSetArn(psArn)
                .principalType(PrincipalType.USER).principalId(userId)).accountAssignmentDeletionStatus();
    }

    private static AccountAssignmentOperationStatus creationStatus(String requestId) {
        return aws.ssoAdmin.describeAccountAssignmentCreationStatus(r -> r.instanceArn(INSTANCE_ARN)
                .accountAssignmentCreationRequestId(requestId)).accountAssignmentCreationStatus();
    }

    private static AccountAssignmentOperationStatus deletionStatus(String requestId) {
        return aws.ssoAdmin.describeAccountAssignmentDeletionStatus(r -> r.instanceArn(INSTANCE_ARN)
                .accountAssignmentDeletionRequestId(requestId)).accountAssignmentDeletionStatus();
    }

    private static <T> T awaitDone(Supplier<T> poll, java.util.function.Function<T, StatusValues> status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        T value = poll.get();
        while (status.apply(value) == StatusValues.IN_PROGRESS && System.nanoTime() < deadline) {
            sleep(25);
            value = poll.get();
        }
        return value;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<AccountAssignment> assignments(String accountId, String psArn) {
        return aws.ssoAdmin.listAccountAssignmentsPaginator(r -> r.instanceArn(INSTANCE_ARN).accountId(accountId)
                .permissionSetArn(psArn)).accountAssignments().stream().toList();
    }

    // ------------------------------------------------------------------ account assignments

    @Test
    void grantIsInProgressThenSucceedsAndOnlyThenBecomesVisible() {
        CreateAccountAssignmentResponse created = grant(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN,
                ALICE_USER_ID);
        AccountAssignmentOperationStatus status = created.accountAssignmentCreationStatus();

        assertThat(created.responseMetadata().requestId()).matches("[0-9a-f-]{36}");
        assertThat(status.status()).isEqualTo(StatusValues.IN_PROGRESS);
        assertThat(status.requestId()).isNotBlank();
        assertThat(status.targetId()).isEqualTo(SANDBOX_ACCOUNT_ID);
        assertThat(status.targetType()).isEqualTo(TargetType.AWS_ACCOUNT);
        assertThat(status.permissionSetArn()).isEqualTo(READ_ONLY_PERMISSION_SET_ARN);
        assertThat(status.principalType()).isEqualTo(PrincipalType.USER);
        assertThat(status.principalId()).isEqualTo(ALICE_USER_ID);
        assertThat(status.createdDate()).isCloseTo(Instant.now(), within(5, java.time.temporal.ChronoUnit.SECONDS));

        assertThat(creationStatus(status.requestId()).status()).isEqualTo(StatusValues.IN_PROGRESS);
        assertThat(assignments(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN)).isEmpty();

        AccountAssignmentOperationStatus done = awaitDone(() -> creationStatus(status.requestId()),
                AccountAssignmentOperationStatus::status);
        assertThat(done.status()).isEqualTo(StatusValues.SUCCEEDED);
        assertThat(done.failureReason()).isNull();
        assertThat(assignments(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN)).containsExactly(
                AccountAssignment.builder().accountId(SANDBOX_ACCOUNT_ID).permissionSetArn(READ_ONLY_PERMISSION_SET_ARN)
                        .principalType(PrincipalType.USER).principalId(ALICE_USER_ID).build());
        assertThat(sandbox.state().hasAssignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, "USER",
                ALICE_USER_ID)).isTrue();
        assertThat(aws.ssoAdmin.listPermissionSetsProvisionedToAccount(r -> r.instanceArn(INSTANCE_ARN)
                .accountId(SANDBOX_ACCOUNT_ID)).permissionSets()).containsExactly(READ_ONLY_PERMISSION_SET_ARN);
        assertThat(aws.ssoAdmin.listAccountAssignmentCreationStatus(r -> r.instanceArn(INSTANCE_ARN)
                .filter(f -> f.status(StatusValues.SUCCEEDED))).accountAssignmentsCreationStatus())
                .extracting(s -> s.requestId()).containsExactly(status.requestId());
    }

    @Test
    void revokeRemovesTheAssignmentAfterTheDelay() {
        sandbox.state().addAssignment(STAGING_ACCOUNT_ID, POWER_USER_PERMISSION_SET_ARN, "USER", BOB_USER_ID);

        AccountAssignmentOperationStatus deletion = revoke(STAGING_ACCOUNT_ID, POWER_USER_PERMISSION_SET_ARN,
                BOB_USER_ID);
        assertThat(deletion.status()).isEqualTo(StatusValues.IN_PROGRESS);
        assertThat(assignments(STAGING_ACCOUNT_ID, POWER_USER_PERMISSION_SET_ARN)).hasSize(1);

        AccountAssignmentOperationStatus done = awaitDone(() -> deletionStatus(deletion.requestId()),
                AccountAssignmentOperationStatus::status);
        assertThat(done.status()).isEqualTo(StatusValues.SUCCEEDED);
        assertThat(assignments(STAGING_ACCOUNT_ID, POWER_USER_PERMISSION_SET_ARN)).isEmpty();
        assertThat(sandbox.state().assignments()).isEmpty();
        assertThat(aws.ssoAdmin.listAccountAssignmentDeletionStatus(r -> r.instanceArn(INSTANCE_ARN))
                .accountAssignmentsDeletionStatus()).extracting(s -> s.status()).containsExactly(StatusValues.SUCCEEDED);
    }

    @Test
    void creatingAnExistingAssignmentAndDeletingAMissingOneBothSucceed() {
        sandbox.state().addAssignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, "USER", ALICE_USER_ID);

        String createId = grant(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID)
                .accountAssignmentCreationStatus().requestId();
        assertThat(awaitDone(() -> creationStatus(createId), AccountAssignmentOperationStatus::status).status())
                .isEqualTo(StatusValues.SUCCEEDED);
        assertThat(sandbox.state().assignments()).hasSize(1);

        String deleteId = revoke(DemoOrganization.PRODUCTION_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID).requestId();
        assertThat(awaitDone(() -> deletionStatus(deleteId), AccountAssignmentOperationStatus::status).status())
                .isEqualTo(StatusValues.SUCCEEDED);
        assertThat(sandbox.state().assignments()).hasSize(1);
    }

    @Test
    void everyCreateAccountAssignmentArrivalIsRecordedPerAssignment() {
        long before = System.nanoTime();
        String createId = grant(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID)
                .accountAssignmentCreationStatus().requestId();
        long after = System.nanoTime();
        assertThat(sandbox.state().creationArrival(ALICE_USER_ID, READ_ONLY_PERMISSION_SET_ARN, SANDBOX_ACCOUNT_ID))
                .hasValueSatisfying(a -> {
                    assertThat(a.nanoTime()).isBetween(before, after);
                    assertThat(a.calls()).isEqualTo(1);
                });
        // a refused call counts too (a conflict while the first is in progress); the first arrival stays
        assertThatThrownBy(() -> grant(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID))
                .isInstanceOf(ConflictException.class);
        assertThat(sandbox.state().creationArrival(ALICE_USER_ID, READ_ONLY_PERMISSION_SET_ARN, SANDBOX_ACCOUNT_ID))
                .hasValueSatisfying(a -> {
                    assertThat(a.nanoTime()).isBetween(before, after);
                    assertThat(a.calls()).isEqualTo(2);
                });
        awaitDone(() -> creationStatus(createId), AccountAssignmentOperationStatus::status);
        revoke(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID);
        assertThat(sandbox.state().creationArrivals()).hasSize(1);
        assertThat(sandbox.state().creationArrival(ERIN_USER_ID, READ_ONLY_PERMISSION_SET_ARN, SANDBOX_ACCOUNT_ID))
                .isEmpty();

        sandbox.state().resetCounters();
        assertThat(sandbox.state().creationArrivals()).isEmpty();
    }

    @Test
    void aSecondCreateOfTheSameAssignmentInProgressIsAConflict() {
        grant(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID);

        assertThatThrownBy(() -> grant(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("already in progress");
        // a different principal on the same permission set and account is fine
        assertThat(grant(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ERIN_USER_ID)
                .accountAssignmentCreationStatus().status()).isEqualTo(StatusValues.IN_PROGRESS);
    }

    @Test
    void assignmentWhileThePermissionSetIsBeingProvisionedToTheAccountIsAConflict() {
        PermissionSetProvisioningStatus provisioning = aws.ssoAdmin.provisionPermissionSet(r -> r
                .instanceArn(INSTANCE_ARN).permissionSetArn(VIEW_ONLY_PERMISSION_SET_ARN)
                .targetType(ProvisionTargetType.AWS_ACCOUNT).targetId(STAGING_ACCOUNT_ID))
                .permissionSetProvisioningStatus();
        assertThat(provisioning.status()).isEqualTo(StatusValues.IN_PROGRESS);
        assertThat(provisioning.accountId()).isEqualTo(STAGING_ACCOUNT_ID);

        assertThatThrownBy(() -> grant(STAGING_ACCOUNT_ID, VIEW_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("being provisioned");

        PermissionSetProvisioningStatus done = awaitDone(() -> aws.ssoAdmin.describePermissionSetProvisioningStatus(
                        r -> r.instanceArn(INSTANCE_ARN).provisionPermissionSetRequestId(provisioning.requestId()))
                .permissionSetProvisioningStatus(), PermissionSetProvisioningStatus::status);
        assertThat(done.status()).isEqualTo(StatusValues.SUCCEEDED);
        assertThat(grant(STAGING_ACCOUNT_ID, VIEW_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID)
                .accountAssignmentCreationStatus().status()).isEqualTo(StatusValues.IN_PROGRESS);
        assertThat(aws.ssoAdmin.listAccountsForProvisionedPermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(VIEW_ONLY_PERMISSION_SET_ARN)).accountIds()).containsExactly(STAGING_ACCOUNT_ID);
    }

    // ------------------------------------------------------------------ validation and errors

    @Test
    void badAccountIdIsAValidationExceptionNamingTheField() {
        assertThatThrownBy(() -> grant("12345", READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("targetId")
                .hasMessageContaining("12345");
        assertThatThrownBy(() -> aws.ssoAdmin.createAccountAssignment(r -> r.instanceArn(INSTANCE_ARN)
                .targetId(SANDBOX_ACCOUNT_ID).targetType(TargetType.AWS_ACCOUNT)
                .permissionSetArn(READ_ONLY_PERMISSION_SET_ARN).principalType("ROBOT").principalId(ALICE_USER_ID)))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("principalType");
        assertThatThrownBy(() -> grant(SANDBOX_ACCOUNT_ID, "arn:aws:sso:::permissionSet/bogus", ALICE_USER_ID))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("permissionSetArn");
        assertThatThrownBy(() -> aws.ssoAdmin.listPermissionSets(r -> r.instanceArn("not-an-arn")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("instanceArn");
    }

    @Test
    void unknownResourcesAreResourceNotFound() {
        String unknownPs = "arn:aws:sso:::permissionSet/ssoins-7223000000000001/ps-ffffffffffffffff";
        assertThatThrownBy(() -> grant(SANDBOX_ACCOUNT_ID, unknownPs, ALICE_USER_ID))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining(unknownPs);
        assertThatThrownBy(() -> grant("999999999999", READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("999999999999");
        assertThatThrownBy(() -> grant(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN,
                "00000000-0000-4000-8000-000000000000"))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("USER");
        assertThatThrownBy(() -> aws.ssoAdmin.listPermissionSets(r -> r
                .instanceArn("arn:aws:sso:::instance/ssoins-0000000000000000")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void injectedErrorsSurfaceAsTheModelledSdkExceptions() {
        sandbox.faults().failNextCalls("ListPermissionSets", 1, "AccessDeniedException", 403);
        sandbox.faults().failNextCalls("DescribePermissionSet", 1, "InternalServerException", 500);
        sandbox.faults().failNextCalls("ListAccountAssignments", 1, "ThrottlingException", 400);
        sandbox.faults().failNextCalls("ListInstances", 1, "ConflictException", 400);

        assertThatThrownBy(() -> aws.ssoAdmin.listPermissionSets(r -> r.instanceArn(INSTANCE_ARN)))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("Injected fault for ListPermissionSets")
                .satisfies(e -> assertThat(((AccessDeniedException) e).statusCode()).isEqualTo(403))
                .satisfies(e -> assertThat(((AccessDeniedException) e).requestId()).isNotBlank());
        assertThatThrownBy(() -> aws.ssoAdmin.describePermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(READ_ONLY_PERMISSION_SET_ARN)))
                .isInstanceOf(InternalServerException.class)
                .satisfies(e -> assertThat(((InternalServerException) e).statusCode()).isEqualTo(500));
        assertThatThrownBy(() -> assignments(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN))
                .isInstanceOf(ThrottlingException.class);
        assertThatThrownBy(() -> aws.ssoAdmin.listInstances(r -> { }))
                .isInstanceOf(ConflictException.class);

        // the faults were one-shot
        assertThat(aws.ssoAdmin.listPermissionSets(r -> r.instanceArn(INSTANCE_ARN)).permissionSets()).hasSize(4);
        assertThat(sandbox.state().callCount("ListPermissionSets")).isEqualTo(2);
        assertThat(sandbox.state().throttledCalls()).isEqualTo(1);
    }

    @Test
    void injectedAsyncFailureEndsFailedWithTheReasonAndChangesNothing() {
        sandbox.faults().failNextAsync("CreateAccountAssignment", 1, "Received a 404 status error: No role");

        String requestId = grant(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID)
                .accountAssignmentCreationStatus().requestId();
        AccountAssignmentOperationStatus done = awaitDone(() -> creationStatus(requestId),
                AccountAssignmentOperationStatus::status);

        assertThat(done.status()).isEqualTo(StatusValues.FAILED);
        assertThat(done.failureReason()).isEqualTo("Received a 404 status error: No role");
        assertThat(assignments(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN)).isEmpty();

        // the next one succeeds again
        String second = grant(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, ALICE_USER_ID)
                .accountAssignmentCreationStatus().requestId();
        assertThat(awaitDone(() -> creationStatus(second), AccountAssignmentOperationStatus::status).status())
                .isEqualTo(StatusValues.SUCCEEDED);
    }

    @Test
    void requestsWithoutAuthorizationAreRejectedWith403() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> json = http.send(HttpRequest.newBuilder(sandbox.endpoint().resolve("/"))
                .header("X-Amz-Target", "SWBExternalService.ListInstances")
                .header("Content-Type", "application/x-amz-json-1.1")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(403);
        assertThat(json.headers().firstValue("x-amzn-ErrorType")).hasValue("MissingAuthenticationTokenException");
        assertThat(json.headers().firstValue("x-amzn-RequestId")).isPresent();
        assertThat(json.body()).contains("\"__type\":\"MissingAuthenticationTokenException\"");

        HttpResponse<String> query = http.send(HttpRequest.newBuilder(sandbox.endpoint().resolve("/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Action=GetCallerIdentity&Version=2011-06-15")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(query.statusCode()).isEqualTo(403);
        assertThat(query.body()).contains("<Code>MissingAuthenticationToken</Code>");
        assertThat(sandbox.state().callCount("ListInstances")).isZero();
    }

    // ------------------------------------------------------------------ pagination

    @Test
    void paginatorsWalkEveryPageWithMaxResultsOne() {
        List<String> userNames = aws.identityStore.listUsersPaginator(r -> r.identityStoreId(IDENTITY_STORE_ID)
                .maxResults(1)).users().stream().map(User::userName).toList();
        assertThat(userNames).containsExactly("alice", "bob", "carol", "dave", "erin");
        assertThat(sandbox.state().callCount("ListUsers")).isEqualTo(5);

        List<String> accounts = aws.organizations.listAccountsPaginator(r -> r.maxResults(1)).stream().flatMap(p -> p.accounts().stream())
                .map(Account::name).toList();
        assertThat(accounts).containsExactly("management", "sandbox", "staging", "production");

        List<String> permissionSets = aws.ssoAdmin.listPermissionSetsPaginator(r -> r.instanceArn(INSTANCE_ARN)
                .maxResults(1)).permissionSets().stream().toList();
        assertThat(permissionSets).containsExactly(READ_ONLY_PERMISSION_SET_ARN, VIEW_ONLY_PERMISSION_SET_ARN,
                POWER_USER_PERMISSION_SET_ARN, DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN);
        assertThat(sandbox.state().callCount("ListPermissionSets")).isEqualTo(4);

        sandbox.state().addAssignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, "USER", ALICE_USER_ID);
        sandbox.state().addAssignment(SANDBOX_ACCOUNT_ID, READ_ONLY_PERMISSION_SET_ARN, "GROUP", DEVELOPERS_GROUP_ID);
        assertThat(aws.ssoAdmin.listAccountAssignmentsPaginator(r -> r.instanceArn(INSTANCE_ARN)
                .accountId(SANDBOX_ACCOUNT_ID).permissionSetArn(READ_ONLY_PERMISSION_SET_ARN).maxResults(1))
                .accountAssignments().stream().map(AccountAssignment::principalId))
                .containsExactly(ALICE_USER_ID, DEVELOPERS_GROUP_ID);

        assertThatThrownBy(() -> aws.ssoAdmin.listPermissionSets(r -> r.instanceArn(INSTANCE_ARN)
                .nextToken("garbage")))
                .isInstanceOf(ValidationException.class);
    }

    // ------------------------------------------------------------------ permission sets

    @Test
    void seededPermissionSetsCarryDescriptionSessionDurationAndManagedPolicy() {
        PermissionSet ps = aws.ssoAdmin.describePermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(VIEW_ONLY_PERMISSION_SET_ARN)).permissionSet();
        assertThat(ps.name()).isEqualTo("ViewOnlyAccess");
        assertThat(ps.description()).isNotBlank();
        assertThat(ps.sessionDuration()).isEqualTo("PT1H");
        assertThat(ps.createdDate()).isNotNull();

        List<AttachedManagedPolicy> policies = aws.ssoAdmin.listManagedPoliciesInPermissionSet(r -> r
                .instanceArn(INSTANCE_ARN).permissionSetArn(VIEW_ONLY_PERMISSION_SET_ARN)).attachedManagedPolicies();
        assertThat(policies).extracting(AttachedManagedPolicy::arn)
                .containsExactly("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess");
        assertThat(policies).extracting(AttachedManagedPolicy::name).containsExactly("ViewOnlyAccess");

        assertThat(aws.ssoAdmin.listInstances(r -> { }).instances()).singleElement().satisfies(i -> {
            assertThat(i.instanceArn()).isEqualTo(INSTANCE_ARN);
            assertThat(i.identityStoreId()).isEqualTo(IDENTITY_STORE_ID);
        });
        assertThat(sandbox.state().permissionSets()).extracting(SandboxState.PermissionSetInfo::name)
                .containsExactly("ReadOnlyAccess", "ViewOnlyAccess", "PowerUserAccess", "AdministratorAccess");
    }

    @Test
    void permissionSetLifecycle() {
        PermissionSet created = aws.ssoAdmin.createPermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .name("BreakGlass").description("Emergency access").sessionDuration("PT2H")
                .tags(Tag.builder().key("managed-by").value("airlock").build())).permissionSet();
        String arn = created.permissionSetArn();
        assertThat(arn).matches("arn:aws:sso:::permissionSet/ssoins-7223000000000001/ps-[0-9a-f]{16}");
        assertThat(created.sessionDuration()).isEqualTo("PT2H");

        assertThatThrownBy(() -> aws.ssoAdmin.createPermissionSet(r -> r.instanceArn(INSTANCE_ARN).name("BreakGlass")))
                .isInstanceOf(ConflictException.class);

        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\","
                + "\"Resource\":\"*\"}]}";
        aws.ssoAdmin.putInlinePolicyToPermissionSet(r -> r.instanceArn(INSTANCE_ARN).permissionSetArn(arn)
                .inlinePolicy(policy));
        assertThat(aws.ssoAdmin.getInlinePolicyForPermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(arn)).inlinePolicy()).isEqualTo(policy);
        assertThatThrownBy(() -> aws.ssoAdmin.putInlinePolicyToPermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(arn).inlinePolicy("{not json")))
                .isInstanceOf(ValidationException.class);

        aws.ssoAdmin.attachManagedPolicyToPermissionSet(r -> r.instanceArn(INSTANCE_ARN).permissionSetArn(arn)
                .managedPolicyArn("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        assertThatThrownBy(() -> aws.ssoAdmin.attachManagedPolicyToPermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(arn).managedPolicyArn("arn:aws:iam::aws:policy/ReadOnlyAccess")))
                .isInstanceOf(ConflictException.class);

        aws.ssoAdmin.tagResource(r -> r.instanceArn(INSTANCE_ARN).resourceArn(arn)
                .tags(Tag.builder().key("request").value("REQ-1").build()));
        assertThat(aws.ssoAdmin.listTagsForResource(r -> r.instanceArn(INSTANCE_ARN).resourceArn(arn)).tags())
                .extracting(Tag::key, Tag::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("managed-by", "airlock"),
                        org.assertj.core.groups.Tuple.tuple("request", "REQ-1"));

        String provisionId = aws.ssoAdmin.provisionPermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(arn).targetType(ProvisionTargetType.AWS_ACCOUNT).targetId(SANDBOX_ACCOUNT_ID))
                .permissionSetProvisioningStatus().requestId();
        assertThat(awaitDone(() -> aws.ssoAdmin.describePermissionSetProvisioningStatus(r -> r
                .instanceArn(INSTANCE_ARN).provisionPermissionSetRequestId(provisionId))
                .permissionSetProvisioningStatus(), PermissionSetProvisioningStatus::status).status())
                .isEqualTo(StatusValues.SUCCEEDED);
        assertThat(aws.ssoAdmin.listPermissionSetsProvisionedToAccount(r -> r.instanceArn(INSTANCE_ARN)
                .accountId(SANDBOX_ACCOUNT_ID).provisioningStatus("LATEST_PERMISSION_SET_PROVISIONED"))
                .permissionSets()).containsExactly(arn);

        // a changed policy makes the provisioned copy stale
        aws.ssoAdmin.deleteInlinePolicyFromPermissionSet(r -> r.instanceArn(INSTANCE_ARN).permissionSetArn(arn));
        assertThat(aws.ssoAdmin.getInlinePolicyForPermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(arn)).inlinePolicy()).isEmpty();
        assertThat(aws.ssoAdmin.listAccountsForProvisionedPermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(arn).provisioningStatus("LATEST_PERMISSION_SET_NOT_PROVISIONED")).accountIds())
                .containsExactly(SANDBOX_ACCOUNT_ID);

        // provisioned to an account: deleting is a conflict, as in AWS
        assertThatThrownBy(() -> aws.ssoAdmin.deletePermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(arn))).isInstanceOf(ConflictException.class);
        sandbox.state().reset();
        assertThat(sandbox.state().permissionSets()).extracting(SandboxState.PermissionSetInfo::arn)
                .doesNotContain(arn);

        String other = aws.ssoAdmin.createPermissionSet(r -> r.instanceArn(INSTANCE_ARN).name("Temp"))
                .permissionSet().permissionSetArn();
        aws.ssoAdmin.deletePermissionSet(r -> r.instanceArn(INSTANCE_ARN).permissionSetArn(other));
        assertThatThrownBy(() -> aws.ssoAdmin.describePermissionSet(r -> r.instanceArn(INSTANCE_ARN)
                .permissionSetArn(other))).isInstanceOf(ResourceNotFoundException.class);
    }

    // ------------------------------------------------------------------ identity store and organizations

    @Test
    void organizationsTellsWhereAnAccountSitsAndItsTags() {
        var parents = aws.organizations.listParents(r -> r.childId(DemoOrganization.PRODUCTION_ACCOUNT_ID)).parents();
        assertThat(parents).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(DemoOrganization.PROD_OU_ID);
            assertThat(p.typeAsString()).isEqualTo("ORGANIZATIONAL_UNIT");
        });
        assertThat(aws.organizations.describeOrganizationalUnit(r -> r.organizationalUnitId(DemoOrganization.PROD_OU_ID))
                .organizationalUnit().name()).isEqualTo("Prod");
        assertThat(aws.organizations.listParents(r -> r.childId(DemoOrganization.PROD_OU_ID)).parents())
                .singleElement().satisfies(p -> assertThat(p.id()).isEqualTo(DemoOrganization.WORKLOADS_OU_ID));
        assertThat(aws.organizations.listParents(r -> r.childId(DemoOrganization.WORKLOADS_OU_ID)).parents())
                .singleElement().satisfies(p -> {
                    assertThat(p.id()).isEqualTo(DemoOrganization.ROOT_ID);
                    assertThat(p.typeAsString()).isEqualTo("ROOT");
                });
        assertThat(aws.organizations.listTagsForResource(r -> r.resourceId(DemoOrganization.PRODUCTION_ACCOUNT_ID))
                .tags()).anySatisfy(t -> {
                    assertThat(t.key()).isEqualTo("environment");
                    assertThat(t.value()).isEqualTo("production");
                });
        assertThatThrownBy(() -> aws.organizations.listParents(r -> r.childId("999999999999")))
                .isInstanceOf(software.amazon.awssdk.services.organizations.model.ChildNotFoundException.class);
        assertThatThrownBy(() -> aws.organizations.describeOrganizationalUnit(r -> r.organizationalUnitId(
                "ou-ai01-missing00"))).isInstanceOf(
                software.amazon.awssdk.services.organizations.model.OrganizationalUnitNotFoundException.class);
        assertThatThrownBy(() -> aws.organizations.listTagsForResource(r -> r.resourceId("not-an-id")))
                .isInstanceOf(software.amazon.awssdk.services.organizations.model.InvalidInputException.class);
    }

    @Test
    void identityStoreResolvesUsersGroupsAndMemberships() {
        String aliceId = aws.identityStore.getUserId(r -> r.identityStoreId(IDENTITY_STORE_ID)
                .alternateIdentifier(AlternateIdentifier.builder().uniqueAttribute(UniqueAttribute.builder()
                        .attributePath("userName").attributeValue(Document.fromString("alice")).build()).build()))
                .userId();
        assertThat(aliceId).isEqualTo(ALICE_USER_ID).isEqualTo(sandbox.state().userIdByName("alice"));

        DescribeUserResponse alice = aws.identityStore.describeUser(r -> r.identityStoreId(IDENTITY_STORE_ID)
                .userId(aliceId));
        assertThat(alice.userName()).isEqualTo("alice");
        assertThat(alice.displayName()).isEqualTo("Alice Anderson");
        assertThat(alice.emails()).singleElement().satisfies(e -> assertThat(e.value()).isEqualTo("alice@airlock.example"));

        assertThat(aws.identityStore.listUsers(ListUsersRequest.builder().identityStoreId(IDENTITY_STORE_ID)
                .filters(Filter.builder().attributePath("UserName").attributeValue("bob").build()).build()).users())
                .extracting(User::userId).containsExactly(BOB_USER_ID);

        String developers = aws.identityStore.getGroupId(r -> r.identityStoreId(IDENTITY_STORE_ID)
                .alternateIdentifier(AlternateIdentifier.builder().uniqueAttribute(UniqueAttribute.builder()
                        .attributePath("displayName").attributeValue(Document.fromString("Developers")).build())
                        .build())).groupId();
        assertThat(developers).isEqualTo(DEVELOPERS_GROUP_ID);
        assertThat(aws.identityStore.listGroups(r -> r.identityStoreId(IDENTITY_STORE_ID)
                .filters(Filter.builder().attributePath("DisplayName").attributeValue("Auditors").build())).groups())
                .singleElement().satisfies(g -> assertThat(g.displayName()).isEqualTo("Auditors"));
        assertThat(aws.identityStore.describeGroup(r -> r.identityStoreId(IDENTITY_STORE_ID).groupId(developers))
                .displayName()).isEqualTo("Developers");

        assertThat(aws.identityStore.listGroupMembershipsPaginator(r -> r.identityStoreId(IDENTITY_STORE_ID)
                .groupId(developers).maxResults(1)).groupMemberships().stream().map(m -> m.memberId().userId()))
                .containsExactly(ALICE_USER_ID, ERIN_USER_ID);
        assertThat(aws.identityStore.listGroupMembershipsForMember(r -> r.identityStoreId(IDENTITY_STORE_ID)
                .memberId(MemberId.fromUserId(ERIN_USER_ID))).groupMemberships())
                .extracting(GroupMembership::groupId).containsExactly(DEVELOPERS_GROUP_ID);

        assertThatThrownBy(() -> aws.identityStore.getUserId(r -> r.identityStoreId(IDENTITY_STORE_ID)
                .alternateIdentifier(AlternateIdentifier.builder().uniqueAttribute(UniqueAttribute.builder()
                        .attributePath("userName").attributeValue(Document.fromString("mallory")).build()).build())))
                .isInstanceOf(software.amazon.awssdk.services.identitystore.model.ResourceNotFoundException.class)
                .satisfies(e -> assertThat(((software.amazon.awssdk.services.identitystore.model
                        .ResourceNotFoundException) e).resourceTypeAsString()).isEqualTo("USER"));
    }

    @Test
    void organizationDescribesItselfAndItsAccounts() {
        Organization org = aws.organizations.describeOrganization().organization();
        assertThat(org.id()).isEqualTo(DemoOrganization.ORGANIZATION_ID);
        assertThat(org.masterAccountId()).isEqualTo(DemoOrganization.MANAGEMENT_ACCOUNT_ID);

        Account staging = aws.organizations.describeAccount(r -> r.accountId(STAGING_ACCOUNT_ID)).account();
        assertThat(staging.name()).isEqualTo("staging");
        assertThat(staging.statusAsString()).isEqualTo("ACTIVE");
        assertThat(staging.joinedTimestamp()).isNotNull();

        assertThatThrownBy(() -> aws.organizations.describeAccount(r -> r.accountId("999999999999")))
                .isInstanceOf(AccountNotFoundException.class);
        assertThatThrownBy(() -> aws.organizations.describeAccount(r -> r.accountId("abc")))
                .isInstanceOf(software.amazon.awssdk.services.organizations.model.InvalidInputException.class);
    }

    // ------------------------------------------------------------------ STS

    @Test
    void assumeRoleNeedsTheRightExternalId() {
        String role = "arn:aws:iam::" + SANDBOX_ACCOUNT_ID + ":role/AirlockIntegration";
        Instant before = Instant.now();
        AssumeRoleResponse ok = aws.sts.assumeRole(r -> r.roleArn(role).roleSessionName("airlock")
                .externalId("airlock-sandbox").durationSeconds(900));
        assertThat(ok.credentials().accessKeyId()).startsWith("ASIA");
        assertThat(ok.credentials().secretAccessKey()).isNotBlank();
        assertThat(ok.credentials().sessionToken()).isNotBlank();
        assertThat(ok.credentials().expiration()).isBetween(before.plusSeconds(898), Instant.now().plusSeconds(901));
        assertThat(ok.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::" + SANDBOX_ACCOUNT_ID
                + ":assumed-role/AirlockIntegration/airlock");
        assertThat(ok.responseMetadata().requestId()).isNotBlank();

        assertThatThrownBy(() -> aws.sts.assumeRole(r -> r.roleArn(role).roleSessionName("airlock")
                .externalId("wrong")))
                .isInstanceOf(StsException.class)
                .hasMessageContaining("not authorized to perform: sts:AssumeRole")
                .satisfies(e -> {
                    assertThat(((StsException) e).statusCode()).isEqualTo(403);
                    assertThat(((StsException) e).awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                });
        assertThatThrownBy(() -> aws.sts.assumeRole(r -> r.roleArn(role).roleSessionName("airlock")))
                .isInstanceOf(StsException.class)
                .satisfies(e -> assertThat(((StsException) e).awsErrorDetails().errorCode()).isEqualTo("AccessDenied"));

        GetCallerIdentityResponse me = aws.sts.getCallerIdentity();
        assertThat(me.account()).isEqualTo(DemoOrganization.MANAGEMENT_ACCOUNT_ID);
        assertThat(me.arn()).startsWith("arn:aws:iam::111111111111:");
    }

    @Test
    void assumeRoleDefaultsToOneHour() {
        AssumeRoleResponse ok = aws.sts.assumeRole(r -> r.roleArn("arn:aws:iam::111111111111:role/AirlockIntegration")
                .roleSessionName("airlock").externalId("airlock-sandbox"));
        assertThat(Duration.between(Instant.now(), ok.credentials().expiration()))
                .isBetween(Duration.ofSeconds(3590), Duration.ofSeconds(3601));
    }

    // ------------------------------------------------------------------ settings

    @Test
    void defaultsMatchTheDocumentedValues() {
        SandboxSettings d = SandboxSettings.defaults();
        assertThat(d.port()).isEqualTo(4566);
        assertThat(d.operationDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.maxCallsPerSecond()).isEqualTo(20);
        assertThat(d.maxCreationsInFlight()).isEqualTo(15);
        assertThat(d.externalId()).isEqualTo("airlock-sandbox");
        assertThat(sandbox.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + sandbox.endpoint().getPort()));
    }
}
