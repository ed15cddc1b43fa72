package io.airlock.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The emulator's reading of a deny: what AWS would enforce on a session, or an error, never a guess. */
class PolicyEvaluationTest {

  private static final String DENY = """
      {"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"ce:GetCostAndUsage","Resource":"*"},
        {"Effect":"Deny","Action":"*","Resource":"*","Condition":{
          "StringEquals":{"identitystore:userId":"u-1","aws:PrincipalAccount":["222222222222"]},
          "DateLessThan":{"aws:TokenIssueTime":"2026-12-01T15:14:30Z"}}}]}""";

  private static Map<String, String> session(String user, String account, String issued) {
    return Map.of("identitystore:userid", user, "aws:principalaccount", account, "aws:tokenissuetime", issued);
  }

  @Test
  void deniesOnlyThatUsersSessionsInThatAccountIssuedBeforeTheTime() {
    assertThat(PolicyEvaluation.deniesEverything(DENY, session("u-1", "222222222222", "2026-12-01T15:14:29Z"))).isTrue();
    assertThat(PolicyEvaluation.deniesEverything(DENY, session("u-1", "222222222222", "2026-12-01T15:14:30Z"))).isFalse();
    assertThat(PolicyEvaluation.deniesEverything(DENY, session("u-2", "222222222222", "2026-12-01T15:00:00Z"))).isFalse();
    assertThat(PolicyEvaluation.deniesEverything(DENY, session("u-1", "333333333333", "2026-12-01T15:00:00Z"))).isFalse();
  }

  @Test
  void aConditionOnAKeyTheSessionLacksDoesNotApply() {
    assertThat(PolicyEvaluation.deniesEverything(DENY, Map.of("identitystore:userid", "u-1",
        "aws:tokenissuetime", "2026-12-01T15:00:00Z"))).isFalse();
  }

  @Test
  void anOperatorTheEmulatorDoesNotKnowIsAnErrorNotAPass() {
    String unknown = "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\","
        + "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}}";
    assertThatThrownBy(() -> PolicyEvaluation.deniesEverything(unknown, Map.of("aws:sourceip", "10.1.1.1")))
        .hasMessageContaining("IpAddress");
  }
}
