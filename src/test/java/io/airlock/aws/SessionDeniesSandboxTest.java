package io.airlock.aws;

import static io.airlock.sandbox.DemoOrganization.ALICE_USER_ID;
import static io.airlock.sandbox.DemoOrganization.INSTANCE_ARN;
import static io.airlock.sandbox.DemoOrganization.SANDBOX_ACCOUNT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.request.AccessGateway.OperationResult;
import io.airlock.request.SessionGateway.SessionDeny;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.SandboxSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.identitystore.IdentitystoreClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.Tag;

/**
 * Never widen access: putting and then removing the session deny gives back the admin's inline
 * policy with the same meaning, whatever IAM grammar it uses (through the SDK's IamPolicy
 * model, against the emulator over HTTP).
 */
class SessionDeniesSandboxTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMINS_POLICY = """
      {"Version":"2012-10-17","Statement":[
        {"Sid":"NoIamWrites","Effect":"Deny","NotAction":["iam:Get*","iam:List*"],"Resource":"*",
         "Condition":{"StringNotEqualsIfExists":{"aws:RequestedRegion":["us-east-1","eu-west-1"]},
                      "Bool":{"aws:MultiFactorAuthPresent":"false"}}},
        {"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secrets/*",
         "Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["team-*","cost-*"]},
                      "IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}""";

  static AwsSandbox sandbox;
  static SsoAdminClient ssoAdmin;
  static IdentitystoreClient identityStore;
  static OrganizationsClient organizations;
  static SessionDenies denies;

  @BeforeAll
  static void start() {
    Duration latency = Duration.ofMillis(100);
    sandbox = AwsSandbox.start(SandboxSettings.defaults().withPort(0).withOperationDelay(latency));
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    ssoAdmin = SsoAdminClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    identityStore = IdentitystoreClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    organizations = OrganizationsClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    var properties = IdentityCenterAdapterTest.properties(latency);
    IdentityCenterAdapter adapter = new IdentityCenterAdapter(ssoAdmin, identityStore, organizations, properties);
    denies = new SessionDenies(ssoAdmin, adapter,
        new CraftedPermissionSets(ssoAdmin, adapter, new PolicyTemplates(properties)));
  }

  @AfterAll
  static void stop() {
    ssoAdmin.close();
    identityStore.close();
    organizations.close();
    sandbox.close();
  }

  private static String managedSet(String name, String inlinePolicy) {
    String arn = ssoAdmin.createPermissionSet(r -> r.instanceArn(INSTANCE_ARN).name(name).sessionDuration("PT4H")
        .tags(Tag.builder().key("airlock:managed").value("true").build())).permissionSet().permissionSetArn();
    if (inlinePolicy != null) {
      ssoAdmin.putInlinePolicyToPermissionSet(r -> r.instanceArn(INSTANCE_ARN).permissionSetArn(arn)
          .inlinePolicy(inlinePolicy));
    }
    sandbox.state().addAssignment(SANDBOX_ACCOUNT_ID, arn, "USER", ALICE_USER_ID);
    return arn;
  }

  @Test
  void putThenRemoveGivesBackTheAdminsPolicyWithTheSameMeaning() throws Exception {
    String arn = managedSet("OnCall", ADMINS_POLICY);
    SessionDeny deny = new SessionDeny(arn, SANDBOX_ACCOUNT_ID, ALICE_USER_ID, Instant.now());

    OperationResult put = denies.putDeny(deny);
    assertThat(put.status()).isEqualTo("SUCCEEDED");
    JsonNode withDeny = JSON.readTree(sandbox.state().provisionedInlinePolicy(arn, SANDBOX_ACCOUNT_ID));
    assertThat(withDeny.get("Statement")).hasSize(3);
    assertThat(sandbox.state().sessionDenied(arn, SANDBOX_ACCOUNT_ID, ALICE_USER_ID, Instant.now().minusSeconds(60)))
        .isTrue();

    denies.removeDeny(deny);
    assertThat(normalized(JSON.readTree(sandbox.state().provisionedInlinePolicy(arn, SANDBOX_ACCOUNT_ID))))
        .isEqualTo(normalized(JSON.readTree(ADMINS_POLICY)));
    assertThat(denies.describe(arn)).hasValueSatisfying(f -> {
      assertThat(f.managed()).isTrue();
      assertThat(f.sessionDuration()).isEqualTo(Duration.ofHours(4));
    });
  }

  @Test
  void aSetWithNoInlinePolicyOfItsOwnHasNoneAgainAfterwards() {
    String arn = managedSet("Responder", null);
    SessionDeny deny = new SessionDeny(arn, SANDBOX_ACCOUNT_ID, ALICE_USER_ID, Instant.now());
    denies.putDeny(deny);
    denies.putDeny(deny); // a retried revoke: still one statement
    assertThat(ssoAdmin.getInlinePolicyForPermissionSet(r -> r.instanceArn(INSTANCE_ARN).permissionSetArn(arn))
        .inlinePolicy()).containsOnlyOnce("AirlockEndSessions");

    denies.removeDeny(deny);
    assertThat(ssoAdmin.getInlinePolicyForPermissionSet(r -> r.instanceArn(INSTANCE_ARN).permissionSetArn(arn))
        .inlinePolicy()).isNullOrEmpty();
    assertThat(sandbox.state().provisionedInlinePolicy(arn, SANDBOX_ACCOUNT_ID)).isNull();
    assertThat(denies.removeDeny(deny).alreadyInPlace()).as("removing twice is success").isTrue();
  }

  @Test
  void aSetThatIsGoneHasNoSessionsToEnd() {
    String arn = ssoAdmin.createPermissionSet(r -> r.instanceArn(INSTANCE_ARN).name("Gone")).permissionSet()
        .permissionSetArn();
    ssoAdmin.deletePermissionSet(r -> r.instanceArn(INSTANCE_ARN).permissionSetArn(arn));
    SessionDeny deny = new SessionDeny(arn, SANDBOX_ACCOUNT_ID, ALICE_USER_ID, Instant.now());
    assertThat(denies.describe(arn)).isEmpty();
    assertThat(denies.putDeny(deny).alreadyInPlace()).isTrue();
    assertThat(denies.removeDeny(deny).alreadyInPlace()).isTrue();
  }

  @Test
  void aDenyThatWouldOverflowTheInlinePolicyIsRefusedAndChangesNothing() {
    String resources = String.join(",", java.util.Collections.nCopies(1050, "\"arn:aws:s3:::team-bucket/x/*\""));
    String big = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
        + "\"Resource\":[" + resources + "]}]}";
    assertThat(big.length()).isBetween(32_768 - 300, 32_768);
    String arn = managedSet("Big", big);
    SessionDeny deny = new SessionDeny(arn, SANDBOX_ACCOUNT_ID, ALICE_USER_ID, Instant.now());

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> denies.putDeny(deny))
        .isInstanceOf(io.airlock.request.AccessOperationException.class).hasMessageContaining("32768");
    assertThat(ssoAdmin.getInlinePolicyForPermissionSet(r -> r.instanceArn(INSTANCE_ARN).permissionSetArn(arn))
        .inlinePolicy()).isEqualTo(big);
  }

  /** A policy with every single value written as a one-element list, so that "x" and ["x"] compare equal. */
  private static JsonNode normalized(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = JSON.createObjectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.set(e.getKey(), normalized(e.getValue()));
      }
      return out;
    }
    ArrayNode list = JSON.createArrayNode();
    if (node.isArray()) {
      node.forEach(n -> list.add(normalized(n)));
      return list;
    }
    list.add(node);
    return list;
  }
}
