package io.airlock.slack;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack's request signing: {@code X-Slack-Signature} is {@code v0=} and the hex HMAC-SHA256, keyed
 * with the app's signing secret, of {@code v0:{X-Slack-Request-Timestamp}:{raw body}}. A callback
 * is believed only when that matches (compared in constant time) and its timestamp is within five
 * minutes of Airlock's clock, either way: an older one may be a replay of a captured callback.
 */
final class SlackSignature {

  /** How far a callback's timestamp may be from now, either way. */
  static final Duration WINDOW = Duration.ofMinutes(5);

  private final byte[] secret;

  SlackSignature(String signingSecret) {
    if (signingSecret == null || signingSecret.isBlank()) {
      throw new IllegalArgumentException("no Slack signing secret");
    }
    this.secret = signingSecret.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Why the callback is not believed (for the log, never for the caller), or empty when it is
   * Slack's, signed within the window.
   */
  Optional<String> problem(String timestamp, String signature, byte[] body, Instant now) {
    if (timestamp == null || timestamp.isBlank() || signature == null || signature.isBlank()) {
      return Optional.of("no X-Slack-Request-Timestamp or X-Slack-Signature");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.strip());
    } catch (NumberFormatException e) {
      return Optional.of("the timestamp is not a number");
    }
    Duration off = Duration.between(Instant.ofEpochSecond(seconds), now).abs();
    if (off.compareTo(WINDOW) > 0) {
      return Optional.of("the timestamp is " + off.toSeconds() + " s away from now (at most " + WINDOW.toSeconds()
          + " s): an old or replayed callback");
    }
    byte[] expected = ("v0=" + sign(timestamp.strip(), body)).getBytes(StandardCharsets.US_ASCII);
    byte[] given = signature.strip().getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      return Optional.of("the signature does not match");
    }
    return Optional.empty();
  }

  /** The hex HMAC-SHA256 of {@code v0:timestamp:body}. */
  String sign(String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
      mac.update(body == null ? new byte[0] : body);
      return HexFormat.of().formatHex(mac.doFinal());
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
