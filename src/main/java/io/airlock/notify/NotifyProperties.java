package io.airlock.notify;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who is told what, and how (airlock.notify.*). Every channel is off by default; a message that
 * cannot be delivered is retried, then reported (log, metric, audit), and never fails the grant
 * or revoke it is about.
 *
 * @param baseUrl where people reach Airlock, for the links in messages
 * @param securityGroup the group alerted when access is granted as break-glass
 * @param attempts deliveries tried per message and channel before it is reported failed
 * @param backoff the wait before the second attempt; doubled before each further one
 * @param endingSoon how long before its end the principal hears that access ends soon
 * @param endingSoonCheck how often the requests ending soon are looked for
 * @param slack review messages in Slack with Approve and Deny (README, "Approve in Slack")
 */
@Validated
@ConfigurationProperties("airlock.notify")
public record NotifyProperties(
    @NotBlank @DefaultValue("http://127.0.0.1:8080") String baseUrl,
    @NotBlank @DefaultValue("airlock-security") String securityGroup,
    @Min(1) @DefaultValue("4") int attempts,
    @NotNull @DefaultValue("PT2S") Duration backoff,
    @NotNull @DefaultValue("PT15M") Duration endingSoon,
    @NotNull @DefaultValue("PT1M") Duration endingSoonCheck,
    @Valid @DefaultValue Mail mail,
    @Valid @DefaultValue Webhook webhook,
    @Valid @DefaultValue Slack slack) {

  /** Email through Spring's mail support (spring.mail.host, port, username, password). */
  public record Mail(@DefaultValue("false") boolean enabled, @NotBlank @DefaultValue("airlock@localhost") String from) {}

  /** A chat incoming webhook (Slack, Microsoft Teams): a JSON {"text": ...} POSTed to url; empty is off. */
  public record Webhook(String url) {
    public boolean enabled() {
      return url != null && !url.isBlank();
    }
  }

  /**
   * Reviews in Slack: a message with the request in words and Approve / Deny buttons, posted to
   * {@code channel} when a review waits, updated for everyone once it is decided anywhere. Off
   * until a bot token, a signing secret and a channel are set.
   *
   * @param apiUrl Slack's Web API (a local fake in tests)
   * @param botToken the bot's token ({@code xoxb-...}): a secret, from the environment
   * @param botTokenFile a file holding the bot token (a container secret); wins over {@code botToken}
   * @param signingSecret the Slack app's signing secret, which every callback is verified with: a secret
   * @param signingSecretFile a file holding the signing secret; wins over {@code signingSecret}
   * @param channel the channel (its id, e.g. C0123456789) review messages are posted to; the bot must be in it
   * @param matchByEmail a Slack user is the Airlock user whose email is their Slack profile's email (users.info)
   * @param users Slack user id to Airlock user id; wins over the email
   * @param teamId the Slack workspace (T...) whose people may review; empty: any the app is installed in
   * @param workers how many callbacks are worked on at once, after Slack has had its answer
   * @param queue how many more callbacks may wait for a worker; beyond that Airlock answers that it is busy
   */
  public record Slack(
      @NotBlank @DefaultValue("https://slack.com/api") String apiUrl,
      String botToken,
      java.nio.file.Path botTokenFile,
      String signingSecret,
      java.nio.file.Path signingSecretFile,
      String channel,
      @DefaultValue("true") boolean matchByEmail,
      java.util.Map<String, String> users,
      String teamId,
      @jakarta.validation.constraints.Min(1) @jakarta.validation.constraints.Max(16) @DefaultValue("2") int workers,
      @jakarta.validation.constraints.Min(0) @jakarta.validation.constraints.Max(1000) @DefaultValue("32") int queue) {

    /** Slack off: no token, secret nor channel. */
    public static final Slack OFF = new Slack("https://slack.com/api", null, null, null, null, null, true, null,
        null, 2, 32);

    public Slack {
      java.util.Map<String, String> upper = new java.util.LinkedHashMap<>();
      if (users != null) {
        // Slack's user ids are upper case; a setting's map key may reach Spring in lower case.
        users.forEach((k, v) -> upper.put(k.toUpperCase(java.util.Locale.ROOT), v));
      }
      users = java.util.Map.copyOf(upper);
    }

    public boolean enabled() {
      return channel != null && !channel.isBlank() && (botTokenFile != null || (botToken != null && !botToken.isBlank()))
          && (signingSecretFile != null || (signingSecret != null && !signingSecret.isBlank()));
    }
  }
}
