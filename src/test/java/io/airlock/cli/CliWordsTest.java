package io.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The CLI says what the portal says: the same status words as the message bundle, the same forecast sentences. */
class CliWordsTest {

  @Test
  void everyStatusReadsAsThePortalsMessageBundleSaysIt() throws Exception {
    Properties bundle = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/messages.properties")) {
      bundle.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
    bundle.stringPropertyNames().stream().filter(k -> k.startsWith("status.")).forEach(k ->
        assertThat(Words.status(k.substring("status.".length()))).as(k).isEqualTo(bundle.getProperty(k)));
    assertThat(Words.STATUS).hasSize((int) bundle.stringPropertyNames().stream().filter(k -> k.startsWith("status.")).count());
  }

  @Test
  void whatPolicyWillDoReadsAsTheNewRequestPageSaysIt() throws Exception {
    assertThat(Words.forecast(json("{\"outcome\":\"APPROVED_AT_ONCE\",\"reason\":\"Read-only outside production\"}")))
        .isEqualTo("Approved at once. Read-only outside production");
    assertThat(Words.forecast(json("{\"outcome\":\"NEEDS_REVIEW\",\"approverGroups\":[\"airlock-approvers\"],"
        + "\"approvalsRequired\":1,\"reason\":\"Power user needs a review\"}")))
        .isEqualTo("Needs 1 review by airlock-approvers. Power user needs a review");
    assertThat(Words.forecast(json("{\"outcome\":\"NEEDS_REVIEW\",\"approverGroups\":[\"a\",\"b\"],\"approvalsRequired\":2}")))
        .isEqualTo("Needs 2 approvals from a, b.");
    assertThat(Words.forecast(json("{\"outcome\":\"DENIED\",\"reason\":\"Too long\",\"maxDuration\":\"PT1H\"}")))
        .isEqualTo("Policy will deny this. Too long. You may ask for up to 1 h here.");
    assertThat(Words.forecast(json("{\"outcome\":\"NOT_ALLOWED\",\"reason\":\"No policy allows you\"}")))
        .isEqualTo("Not allowed. No policy allows you");
  }

  @Test
  void activeAccessSaysUntilWhenAndHowLongIsLeftInTheReadersZone() throws Exception {
    Instant now = Instant.parse("2026-12-07T14:16:00Z");
    JsonNode r = json("{\"status\":\"ACTIVE\",\"grantEnd\":\"2026-12-07T14:44:00Z\"}");
    assertThat(Words.standing(r, now, ZoneId.of("UTC"))).isEqualTo("Active until 14:44 UTC (28 min left)");
    assertThat(Words.standing(r, now, ZoneId.of("Europe/Berlin"))).isEqualTo("Active until 15:44 CET (28 min left)");
    assertThat(Words.standing(json("{\"status\":\"PENDING_REVIEW\"}"), now, ZoneId.of("UTC"))).isEqualTo("Waiting for review");
    assertThat(Words.time(Instant.parse("2026-12-02T09:00:00Z"), now, ZoneId.of("UTC"))).isEqualTo("2 Dec 09:00 UTC");
  }

  private static JsonNode json(String s) throws Exception {
    return Api.JSON.readTree(s);
  }
}
