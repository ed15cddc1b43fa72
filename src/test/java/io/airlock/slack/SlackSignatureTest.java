package io.airlock.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Slack's signature: v0= + HMAC-SHA256(secret, "v0:{timestamp}:{raw body}"), within five minutes. */
class SlackSignatureTest {

  /** Slack's own worked example (api.slack.com, "Verifying requests from Slack"). */
  private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
  private static final String TIMESTAMP = "1531420618";
  private static final byte[] BODY = ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
      + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect"
      + "&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
      + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c").getBytes(StandardCharsets.UTF_8);
  private static final String SLACKS_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
  private static final Instant THEN = Instant.ofEpochSecond(Long.parseLong(TIMESTAMP));

  private final SlackSignature signature = new SlackSignature(SECRET);

  @Test
  void slacksOwnExampleVerifies() {
    assertThat(signature.problem(TIMESTAMP, SLACKS_SIGNATURE, BODY, THEN.plusSeconds(30))).isEmpty();
  }

  @Test
  void aChangedBodyOrAnotherSecretDoesNot() {
    byte[] changed = new String(BODY, StandardCharsets.UTF_8).replace("roadrunner", "coyote")
        .getBytes(StandardCharsets.UTF_8);
    assertThat(signature.problem(TIMESTAMP, SLACKS_SIGNATURE, changed, THEN)).hasValue("the signature does not match");
    assertThat(new SlackSignature("another-secret").problem(TIMESTAMP, SLACKS_SIGNATURE, BODY, THEN))
        .hasValue("the signature does not match");
    assertThat(signature.problem(TIMESTAMP, "v0=" + "0".repeat(64), BODY, THEN)).hasValue("the signature does not match");
    assertThat(signature.problem(TIMESTAMP, "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", BODY,
        THEN)).as("without v0=").hasValue("the signature does not match");
  }

  @Test
  void aSignatureOverAnotherTimestampDoesNot() {
    String later = String.valueOf(THEN.getEpochSecond() + 60);
    assertThat(signature.problem(later, SLACKS_SIGNATURE, BODY, THEN)).hasValue("the signature does not match");
  }

  @Test
  void anOldTimestampIsRefusedAsAReplayEvenWithItsOwnGoodSignature() {
    assertThat(signature.problem(TIMESTAMP, SLACKS_SIGNATURE, BODY, THEN.plusSeconds(5 * 60))).isEmpty();
    assertThat(signature.problem(TIMESTAMP, SLACKS_SIGNATURE, BODY, THEN.plusSeconds(5 * 60 + 1)))
        .hasValueSatisfying(p -> assertThat(p).contains("old or replayed"));
  }

  @Test
  void aTimestampFromTheFutureIsRefusedToo() {
    assertThat(signature.problem(TIMESTAMP, SLACKS_SIGNATURE, BODY, THEN.minusSeconds(5 * 60 + 1)))
        .hasValueSatisfying(p -> assertThat(p).contains("old or replayed"));
  }

  @Test
  void missingOrMalformedHeadersAreRefused() {
    assertThat(signature.problem(null, SLACKS_SIGNATURE, BODY, THEN)).isPresent();
    assertThat(signature.problem(TIMESTAMP, null, BODY, THEN)).isPresent();
    assertThat(signature.problem("", "", BODY, THEN)).isPresent();
    assertThat(signature.problem("yesterday", SLACKS_SIGNATURE, BODY, THEN)).hasValue("the timestamp is not a number");
    assertThat(signature.problem(TIMESTAMP, SLACKS_SIGNATURE, null, THEN)).hasValue("the signature does not match");
  }

  @Test
  void signsWhatItVerifies() {
    String now = String.valueOf(THEN.getEpochSecond());
    byte[] body = "payload=%7B%7D".getBytes(StandardCharsets.UTF_8);
    assertThat(signature.problem(now, "v0=" + signature.sign(now, body), body, THEN)).isEmpty();
  }

  @Test
  void refusalsForChatNameNoIds() {
    assertThat(SlackInteractions.inWords("You cannot review your own access request "
        + "(0f8fad5b-d9cb-469f-a165-70867728950e): another approver must"))
        .isEqualTo("You cannot review your own access request: another approver must");
    assertThat(SlackInteractions.inWords("Only members of airlock-approvers may review request "
        + "0f8fad5b-d9cb-469f-a165-70867728950e"))
        .isEqualTo("Only members of airlock-approvers may review this request");
  }
}
