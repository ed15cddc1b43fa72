package io.airlock.support;

import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.AccountAssignment;

/** What a user would check in (sandbox) AWS: Identity Center's assignments, read through the SDK over HTTP. */
public final class SandboxSso {

  private SandboxSso() {}

  /** An SSO Admin client for the app's emulator; close it when the test class ends. */
  public static SsoAdminClient client(AwsSandbox sandbox) {
    return SsoAdminClient.builder()
        .endpointOverride(sandbox.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .build();
  }

  /** The assignments of one permission set in one account of the demo organization. */
  public static List<AccountAssignment> assignments(SsoAdminClient sso, String accountId, String permissionSetArn) {
    return sso.listAccountAssignmentsPaginator(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .accountId(accountId).permissionSetArn(permissionSetArn)).accountAssignments().stream().toList();
  }

  /** Whether the user holds the permission set in the account, as AWS lists it. */
  public static boolean holds(SsoAdminClient sso, String accountId, String permissionSetArn, String userId) {
    return assignments(sso, accountId, permissionSetArn).stream()
        .anyMatch(a -> a.principalType() == software.amazon.awssdk.services.ssoadmin.model.PrincipalType.USER
            && userId.equals(a.principalId()));
  }

  /** Assigns through the API, behind Airlock's back (CloudTrail records it), and waits until AWS lists it. */
  public static void assignBehindAirlocksBack(SsoAdminClient sso, String accountId, String permissionSetArn,
      String userId) {
    sso.createAccountAssignment(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN).targetId(accountId)
        .targetType(software.amazon.awssdk.services.ssoadmin.model.TargetType.AWS_ACCOUNT)
        .permissionSetArn(permissionSetArn)
        .principalType(software.amazon.awssdk.services.ssoadmin.model.PrincipalType.USER).principalId(userId));
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> holds(sso, accountId, permissionSetArn, userId));
  }
}
