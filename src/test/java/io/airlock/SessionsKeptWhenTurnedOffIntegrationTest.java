package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.People;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.SandboxSso;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.Tag;

/**
 * With {@code airlock.aws.end-sessions-on-revoke=false} a revoke removes the assignment and
 * nothing more, even in a permission set Airlock manages; the timeline says the sessions were
 * not ended and why (on PostgreSQL, the emulator over HTTP).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "airlock.aws.end-sessions-on-revoke=false",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
class SessionsKeptWhenTurnedOffIntegrationTest {

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;

  @Test
  void aRevokeLeavesTheManagedSetAsItWasAndSaysSessionsWereNotEnded() {
    ApiClient api = new ApiClient(port);
    try (SsoAdminClient aws = SandboxSso.client(sandbox)) {
      aws.tagResource(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
          .resourceArn(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN)
          .tags(Tag.builder().key("airlock:managed").value("true").build()));
      assertThat(api.post("dave", "/api/inventory/scan", null).status()).isEqualTo(200);
      Reply submitted = api.post("alice", "/api/requests", People.request(DemoOrganization.SANDBOX_ACCOUNT_ID, "alice",
          "ViewOnlyAccess", "PT1H", "Investigate incident INC-43"));
      assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
      String id = submitted.body().get("id").asText();
      if ("PENDING_REVIEW".equals(submitted.body().get("status").asText())) {
        assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status())
            .isEqualTo(200);
      }
      api.awaitStatus(id, "ACTIVE");
      long puts = sandbox.state().callCount("PutInlinePolicyToPermissionSet");
      long provisions = sandbox.state().callCount("ProvisionPermissionSet");

      assertThat(api.post("alice", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);
      api.awaitStatus(id, "REVOKED");

      assertThat(sandbox.state().hasAssignment(DemoOrganization.SANDBOX_ACCOUNT_ID,
          DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, "USER", DemoOrganization.ALICE_USER_ID)).isFalse();
      assertThat(aws.getInlinePolicyForPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
          .permissionSetArn(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN)).inlinePolicy()).isNullOrEmpty();
      assertThat(sandbox.state().callCount("PutInlinePolicyToPermissionSet")).isEqualTo(puts);
      assertThat(sandbox.state().callCount("ProvisionPermissionSet")).isEqualTo(provisions);
      JsonNode timeline = api.get("alice", "/api/requests/" + id).body().get("timeline");
      assertThat(timeline.findValuesAsText("action")).contains("sessions.not-ended").doesNotContain("sessions.ended");
      assertThat(timeline.findValuesAsText("reason")).anyMatch(r -> r.contains("end-sessions-on-revoke"));
    }
  }
}
