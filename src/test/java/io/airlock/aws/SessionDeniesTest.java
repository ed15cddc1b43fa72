package io.airlock.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.request.SessionGateway.SessionDeny;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.policybuilder.iam.IamPolicy;

/** The deny statement as AWS documents it for ending Identity Center sessions, without AWS. */
class SessionDeniesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SET = "arn:aws:sso:::permissionSet/ssoins-7223000000000001/ps-72230000000000a2";
  private static final String USER = "9067c0de-a11c-4e00-8000-000000000001";

  @Test
  void deniesEveryActionToTheUsersSessionsInTheAccountIssuedBeforeTheRevoke() throws Exception {
    SessionDeny deny = new SessionDeny(SET, "222222222222", USER, Instant.parse("2026-12-01T15:14:29.250Z"));
    JsonNode s = JSON.readTree(IamPolicy.builder().version("2012-10-17").addStatement(SessionDenies.statement(deny))
        .build().toJson()).get("Statement");
    s = s.isArray() ? s.get(0) : s;
    assertThat(s.get("Effect").asText()).isEqualTo("Deny");
    assertThat(s.get("Action").toString()).isIn("\"*\"", "[\"*\"]");
    assertThat(s.get("Resource").toString()).isIn("\"*\"", "[\"*\"]");
    assertThat(s.get("Condition").get("StringEquals").get("identitystore:userId").asText()).isEqualTo(USER);
    assertThat(s.get("Condition").get("StringEquals").get("aws:PrincipalAccount").asText()).isEqualTo("222222222222");
    // Rounded up: a session issued in the revoke's last fraction of a second is still denied.
    assertThat(s.get("Condition").get("DateLessThan").get("aws:TokenIssueTime").asText())
        .isEqualTo("2026-12-01T15:14:30Z");
    assertThat(s.get("Sid").asText()).isEqualTo(deny.sid()).matches("[A-Za-z0-9]+")
        .contains("222222222222").doesNotContain("-");
  }

  @Test
  void aCraftedSetsDenyHasNoTimeCondition() throws Exception {
    JsonNode s = JSON.readTree(IamPolicy.builder().addStatement(SessionDenies.statement(
        new SessionDeny(SET, "222222222222", USER, null))).build().toJson()).get("Statement");
    s = s.isArray() ? s.get(0) : s;
    assertThat(s.get("Condition").has("DateLessThan")).isFalse();
    assertThat(s.get("Condition").get("StringEquals").get("identitystore:userId").asText()).isEqualTo(USER);
  }

  @Test
  void aWholeSecondStaysAsItIs() {
    assertThat(SessionDenies.issueTime(Instant.parse("2026-12-01T15:14:30Z"))).isEqualTo("2026-12-01T15:14:30Z");
  }

  @Test
  void theSessionDurationIsTheSetsOrAwsDefault() {
    assertThat(SessionDenies.sessionDuration("PT8H")).isEqualTo(Duration.ofHours(8));
    assertThat(SessionDenies.sessionDuration(null)).isEqualTo(Duration.ofHours(1));
    assertThat(SessionDenies.sessionDuration("eight hours")).as("unreadable: the longest AWS allows")
        .isEqualTo(Duration.ofHours(12));
  }
}
