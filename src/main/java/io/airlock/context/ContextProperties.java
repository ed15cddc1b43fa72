package io.airlock.context;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Facts from outside Airlock that the decision tables may use ({@code airlock.context.*},
 * README "Policy that knows who is on call"). Each provider is off until it is given its
 * credentials, asks with a timeout, keeps an answer for a short time, and fails closed: when it
 * cannot answer, its input is empty (null) and a rule that needs it does not apply.
 *
 * @param pagerduty whether the requester is on call now, from PagerDuty's schedules
 */
@Validated
@ConfigurationProperties(prefix = "airlock.context")
public record ContextProperties(@NotNull PagerDuty pagerduty) {

  /**
   * PagerDuty's REST API v2.
   *
   * @param apiUrl    the API's base URL ({@code https://api.pagerduty.com}; EU accounts use the same)
   * @param tokenFile a file holding a read-only REST API key; empty: PagerDuty is not asked
   * @param timeout   how long a question may take before the fact is unknown
   * @param cacheFor  how long an answer is kept (an unanswered question is asked again after at
   *                  most 15 s)
   * @param schedules only on-call shifts of these schedule ids count (empty: any schedule or
   *                  escalation policy the person is on call for)
   */
  public record PagerDuty(@NotNull URI apiUrl, String tokenFile, @NotNull Duration timeout,
      @NotNull Duration cacheFor, List<String> schedules) {

    public PagerDuty {
      schedules = schedules == null ? List.of() : List.copyOf(schedules);
    }

    public boolean enabled() {
      return tokenFile != null && !tokenFile.isBlank();
    }

    @AssertTrue(message = "airlock.context.pagerduty.timeout must be between 100 ms and 30 s, cache-for not negative")
    boolean isTimingValid() {
      return timeout == null || cacheFor == null || timeout.toMillis() >= 100 && timeout.toSeconds() <= 30
          && !cacheFor.isNegative();
    }
  }
}
