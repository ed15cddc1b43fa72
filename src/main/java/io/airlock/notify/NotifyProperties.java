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
    @Valid @DefaultValue Webhook webhook) {

  /** Email through Spring's mail support (spring.mail.host, port, username, password). */
  public record Mail(@DefaultValue("false") boolean enabled, @NotBlank @DefaultValue("airlock@localhost") String from) {}

  /** A chat incoming webhook (Slack, Microsoft Teams): a JSON {"text": ...} POSTed to url; empty is off. */
  public record Webhook(String url) {
    public boolean enabled() {
      return url != null && !url.isBlank();
    }
  }
}
