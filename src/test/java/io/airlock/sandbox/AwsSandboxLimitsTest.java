package io.airlock.sandbox;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssoadmin.model.PrincipalType;
import software.amazon.awssdk.services.ssoadmin.model.StatusValues;
import software.amazon.awssdk.services.ssoadmin.model.TargetType;
import software.amazon.awssdk.services.ssoadmin.model.ThrottlingException;

import java.time.Duration;

import static io.airlock.sandbox.DemoOrganization.INSTANCE_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Throttling and the zero-delay mode, each on its own sandbox. */
class AwsSandboxLimitsTest {

    @Test
    void moreThanMaxCallsPerSecondIsThrottled() {
        try (AwsSandbox sandbox = AwsSandbox.start(new SandboxSettings(0, Duration.ZERO, 3, 15, "x"));
             SdkClients aws = new SdkClients(sandbox)) {
            for (int i = 0; i < 3; i++) {
                assertThat(aws.ssoAdmin.listInstances(r -> { }).instances()).hasSize(1);
            }
            assertThatThrownBy(() -> aws.identityStore.listUsers(r -> r.identityStoreId(
                    DemoOrganization.IDENTITY_STORE_ID)))
                    .isInstanceOf(software.amazon.awssdk.services.identitystore.model.ThrottlingException.class)
                    .hasMessageContaining("Rate exceeded");
            // organizations is not part of the Identity Center quota
            assertThat(aws.organizations.listAccounts().accounts()).hasSize(4);

            assertThat(sandbox.state().throttledCalls()).isEqualTo(1);
            assertThat(sandbox.state().callCount("ListInstances")).isEqualTo(3);
            assertThat(sandbox.state().callCount("ListUsers")).isEqualTo(1);
        }
    }

    @Test
    void moreThanMaxCreationsInFlightIsThrottled() {
        try (AwsSandbox sandbox = AwsSandbox.start(new SandboxSettings(0, Duration.ofSeconds(30), 100, 2, "x"));
             SdkClients aws = new SdkClients(sandbox)) {
            String[] users = {DemoOrganization.ALICE_USER_ID, DemoOrganization.BOB_USER_ID,
                    DemoOrganization.CAROL_USER_ID};
            for (int i = 0; i < 2; i++) {
                String user = users[i];
                assertThat(aws.ssoAdmin.createAccountAssignment(r -> r.instanceArn(INSTANCE_ARN)
                        .targetId(DemoOrganization.SANDBOX_ACCOUNT_ID).targetType(TargetType.AWS_ACCOUNT)
                        .permissionSetArn(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN)
                        .principalType(PrincipalType.USER).principalId(user))
                        .accountAssignmentCreationStatus().status()).isEqualTo(StatusValues.IN_PROGRESS);
            }
            assertThatThrownBy(() -> aws.ssoAdmin.createAccountAssignment(r -> r.instanceArn(INSTANCE_ARN)
                    .targetId(DemoOrganization.SANDBOX_ACCOUNT_ID).targetType(TargetType.AWS_ACCOUNT)
                    .permissionSetArn(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN)
                    .principalType(PrincipalType.USER).principalId(users[2])))
                    .isInstanceOf(ThrottlingException.class)
                    .hasMessageContaining("in progress");
            assertThat(sandbox.state().throttledCalls()).isEqualTo(1);
            assertThat(sandbox.state().callCount("CreateAccountAssignment")).isEqualTo(3);
        }
    }

    @Test
    void zeroDelaySucceedsOnTheFirstDescribe() {
        try (AwsSandbox sandbox = AwsSandbox.start(new SandboxSettings(0, Duration.ZERO, 100, 15, "x"));
             SdkClients aws = new SdkClients(sandbox)) {
            var created = aws.ssoAdmin.createAccountAssignment(r -> r.instanceArn(INSTANCE_ARN)
                    .targetId(DemoOrganization.PRODUCTION_ACCOUNT_ID).targetType(TargetType.AWS_ACCOUNT)
                    .permissionSetArn(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN)
                    .principalType(PrincipalType.GROUP).principalId(DemoOrganization.PLATFORM_GROUP_ID))
                    .accountAssignmentCreationStatus();
            assertThat(created.status()).isEqualTo(StatusValues.IN_PROGRESS);
            assertThat(aws.ssoAdmin.describeAccountAssignmentCreationStatus(r -> r.instanceArn(INSTANCE_ARN)
                    .accountAssignmentCreationRequestId(created.requestId())).accountAssignmentCreationStatus()
                    .status()).isEqualTo(StatusValues.SUCCEEDED);
            assertThat(sandbox.state().hasAssignment(DemoOrganization.PRODUCTION_ACCOUNT_ID,
                    DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN, "GROUP", DemoOrganization.PLATFORM_GROUP_ID))
                    .isTrue();
        }
    }

    @Test
    void closeFreesThePort() throws Exception {
        AwsSandbox first = AwsSandbox.start(new SandboxSettings(0, Duration.ZERO, 100, 15, "x"));
        int port = first.endpoint().getPort();
        first.close();
        try (AwsSandbox second = AwsSandbox.start(new SandboxSettings(port, Duration.ZERO, 100, 15, "x"))) {
            assertThat(second.endpoint().getPort()).isEqualTo(port);
        }
    }

    @Test
    void concurrentGrantsFromManyThreadsAllLand() throws Exception {
        try (AwsSandbox sandbox = AwsSandbox.start(new SandboxSettings(0, Duration.ZERO, 10_000, 100, "x"));
             SdkClients aws = new SdkClients(sandbox)) {
            java.util.List<String> accounts = java.util.List.of(DemoOrganization.MANAGEMENT_ACCOUNT_ID,
                    DemoOrganization.SANDBOX_ACCOUNT_ID, DemoOrganization.STAGING_ACCOUNT_ID,
                    DemoOrganization.PRODUCTION_ACCOUNT_ID);
            java.util.List<String> users = DemoOrganization.USERS.stream().map(DemoOrganization.SeedUser::userId)
                    .toList();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
                for (String account : accounts) {
                    for (String user : users) {
                        futures.add(pool.submit(() -> aws.ssoAdmin.createAccountAssignment(r -> r
                                .instanceArn(INSTANCE_ARN).targetId(account).targetType(TargetType.AWS_ACCOUNT)
                                .permissionSetArn(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN)
                                .principalType(PrincipalType.USER).principalId(user))));
                    }
                }
                for (var f : futures) {
                    f.get(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(sandbox.state().assignments()).hasSize(accounts.size() * users.size());
            assertThat(sandbox.state().asyncRequests()).extracting(SandboxState.AsyncRequestInfo::status)
                    .containsOnly("SUCCEEDED");
            assertThat(sandbox.state().callCount("CreateAccountAssignment")).isEqualTo(20);
        }
    }

    @Test
    void injectedStsFaultIsAnXmlErrorTheSdkUnderstands() {
        try (AwsSandbox sandbox = AwsSandbox.start(new SandboxSettings(0, Duration.ZERO, 100, 15, "x"));
             SdkClients aws = new SdkClients(sandbox)) {
            sandbox.faults().failNextCalls("GetCallerIdentity", 1, "ExpiredTokenException", 400);
            assertThatThrownBy(() -> aws.sts.getCallerIdentity())
                    .isInstanceOf(software.amazon.awssdk.services.sts.model.ExpiredTokenException.class)
                    .hasMessageContaining("Injected fault");
            assertThat(aws.sts.getCallerIdentity().account()).isEqualTo(DemoOrganization.MANAGEMENT_ACCOUNT_ID);
        }
    }
}
