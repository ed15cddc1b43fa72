package io.airlock.context;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The facts from outside Airlock that the decision tables are given beside the request's
 * ({@code io.airlock.policy.PolicyInputs}). Each is a variable with a clear name; a fact a
 * provider cannot give now is {@code null} (unknown), so a rule that tests it does not match:
 * policy fails closed, and the caller puts the reason in the request's timeline.
 *
 * <table>
 * <caption>Variables</caption>
 * <tr><td>requesterOnCall</td><td>true or false from PagerDuty; null when PagerDuty is not set up or cannot say</td></tr>
 * <tr><td>onCallSecondsLeft</td><td>seconds until the shift ends (a year for a shift without end); null when not on call</td></tr>
 * <tr><td>onCallUntil</td><td>"8 Dec 18:00 UTC" (in airlock.policy.time-zone), "no end"; null when not on call</td></tr>
 * <tr><td>onCallSchedule</td><td>the schedule's (or escalation policy's) name; null when not on call</td></tr>
 * </table>
 */
@Component
public class PolicyContext {

  public static final String REQUESTER_ON_CALL = "requesterOnCall";
  public static final String ON_CALL_SECONDS_LEFT = "onCallSecondsLeft";
  public static final String ON_CALL_UNTIL = "onCallUntil";
  public static final String ON_CALL_SCHEDULE = "onCallSchedule";
  /** What a shift without end counts as: longer than any scope allows. */
  static final long ENDLESS_SECONDS = Duration.ofDays(366).toSeconds();
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM HH:mm", Locale.ENGLISH);

  private final OnCall onCall;

  @org.springframework.beans.factory.annotation.Autowired
  PolicyContext(ContextProperties properties) {
    this(properties.pagerduty().enabled() ? new PagerDutyOnCall(properties.pagerduty()) : null);
  }

  PolicyContext(OnCall onCall) {
    this.onCall = onCall;
  }

  /** A fact that could not be known: which provider, which variable, and why, in words. */
  public record Unknown(String provider, String variable, String reason) {}

  /** The variables, and the facts that could not be known. */
  public record Facts(Map<String, Object> variables, List<Unknown> unknown) {}

  /**
   * The facts about a request's requester at {@code now} (in the policy's zone).
   *
   * @param email the requester's email in Airlock's directory; null when it has none
   */
  public Facts about(String requester, String email, ZonedDateTime now) {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put(REQUESTER_ON_CALL, null);
    in.put(ON_CALL_SECONDS_LEFT, null);
    in.put(ON_CALL_UNTIL, null);
    in.put(ON_CALL_SCHEDULE, null);
    List<Unknown> unknown = new ArrayList<>();
    if (onCall == null) {
      return new Facts(in, unknown);
    }
    if (email == null || email.isBlank()) {
      unknown.add(new Unknown(onCall.provider(), REQUESTER_ON_CALL, onCall.provider() + " was not asked whether "
          + requester + " is on call: Airlock's directory has no email address for them."));
      return new Facts(in, unknown);
    }
    try {
      Optional<OnCall.Shift> shift = onCall.shiftOf(email, now.toInstant());
      in.put(REQUESTER_ON_CALL, shift.isPresent());
      shift.ifPresent(s -> {
        in.put(ON_CALL_SECONDS_LEFT, s.until() == null ? ENDLESS_SECONDS
            : Math.max(0, Duration.between(now.toInstant(), s.until()).toSeconds()));
        in.put(ON_CALL_UNTIL, s.until() == null ? "no end"
            : WHEN.format(s.until().atZone(now.getZone())) + " " + now.getZone().getId());
        in.put(ON_CALL_SCHEDULE, s.schedule() == null ? onCall.provider() : s.schedule());
      });
    } catch (OnCall.Unknown e) {
      unknown.add(new Unknown(onCall.provider(), REQUESTER_ON_CALL, onCall.provider() + " could not say whether "
          + requester + " is on call: " + e.getMessage() + ". Rules that need it do not apply."));
    }
    return new Facts(in, unknown);
  }
}
