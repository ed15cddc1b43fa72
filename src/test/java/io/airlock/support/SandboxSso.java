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
}
