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
 * @param pagerduty  whether the requester is on call now, from PagerDuty's schedules
 * @param jira       whether the ticket a request names is open and whose, from Jira
 * @param servicenow the same from ServiceNow (incidents, changes, problems, requested items)
 * @param opsgenie   whether the requester is on call now, from Opsgenie's schedules
 * @param tickets    what Airlock does with a ticket: end access when it is resolved
 * @param businessHours the company's working days, hours and holidays (withinBusinessHours, holidayToday)
 */
@Validated
@ConfigurationProperties(prefix = "airlock.context")
public record ContextProperties(@NotNull PagerDuty pagerduty, @NotNull Jira jira, @NotNull ServiceNow servicenow,
    @NotNull Opsgenie opsgenie, @NotNull Tickets tickets, @NotNull BusinessHours businessHours) {

  /**
   * Opsgenie's REST API v2: who is on call in the named schedules, and until when (their
   * timelines).
   *
   * @param apiUrl    {@code https://api.opsgenie.com} ({@code https://api.eu.opsgenie.com} in the EU)
   * @param keyFile   a file holding an API key with read access; empty: Opsgenie is not asked
   * @param schedules the schedules whose on-call counts, by name
   * @param timeout   how long a question may take before the fact is unknown
   * @param cacheFor  how long an answer is kept
   */
  public record Opsgenie(@NotNull URI apiUrl, String keyFile, List<String> schedules, @NotNull Duration timeout,
      @NotNull Duration cacheFor) {

    public Opsgenie {
      schedules = schedules == null ? List.of() : List.copyOf(schedules);
    }

    public boolean enabled() {
      return keyFile != null && !keyFile.isBlank() && !schedules.isEmpty();
    }
  }

  /**
   * The company's business hours, in {@code airlock.policy.time-zone}.
   *
   * @param days     working days
   * @param from     start of the working day
   * @param to       end of the working day (exclusive)
   * @param holidays days off, whatever the day of the week
   */
  public record BusinessHours(@NotNull List<java.time.DayOfWeek> days, @NotNull java.time.LocalTime from,
      @NotNull java.time.LocalTime to, List<java.time.LocalDate> holidays) {

    public BusinessHours {
      holidays = holidays == null ? List.of() : List.copyOf(holidays);
    }

    /** Whether {@code at} (in the policy's zone) is on a working day, not a holiday, between from and to. */
    public boolean within(java.time.ZonedDateTime at) {
      java.time.LocalTime t = at.toLocalTime();
      return days.contains(at.getDayOfWeek()) && !holidays.contains(at.toLocalDate()) && !t.isBefore(from)
          && t.isBefore(to);
    }
  }

  /**
   * Jira's REST API v2 (Cloud or Data Center).
   *
   * @param apiUrl    the site ({@code https://example.atlassian.net}); empty: Jira is not asked
   * @param user      the account's email for Jira Cloud (basic with an API token); empty for a
   *                  Data Center personal access token (bearer)
   * @param tokenFile a file holding the API token or personal access token
   * @param timeout   how long a question may take before the fact is unknown
   * @param cacheFor  how long an answer is kept
   * @param projects  only references of these project keys are Jira's (empty: any reference the
   *                  ticket pattern finds)
   */
  public record Jira(URI apiUrl, String user, String tokenFile, @NotNull Duration timeout,
      @NotNull Duration cacheFor, List<String> projects) {

    public Jira {
      projects = projects == null ? List.of() : List.copyOf(projects);
    }

    public boolean enabled() {
      return apiUrl != null && !apiUrl.toString().isBlank() && tokenFile != null && !tokenFile.isBlank();
    }
  }

  /**
   * ServiceNow's Table API.
   *
   * @param apiUrl       the instance ({@code https://example.service-now.com}); empty: not asked
   * @param user         the integration user (basic)
   * @param passwordFile a file holding its password
   * @param timeout      how long a question may take before the fact is unknown
   * @param cacheFor     how long an answer is kept
   */
  public record ServiceNow(URI apiUrl, String user, String passwordFile, @NotNull Duration timeout,
      @NotNull Duration cacheFor) {

    public boolean enabled() {
      return apiUrl != null && !apiUrl.toString().isBlank() && passwordFile != null && !passwordFile.isBlank();
    }
  }

  /**
   * @param endWithTicket access granted while the ticket it names was open ends when the ticket is
   *                      resolved, or at its end, whichever comes first
   * @param checkEvery    how often the tickets of active access are asked about
   */
  public record Tickets(boolean endWithTicket, @NotNull Duration checkEvery) {}

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
