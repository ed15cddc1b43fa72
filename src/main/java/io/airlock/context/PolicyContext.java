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
 * <tr><td>ticketOpen</td><td>whether the ticket the request names (ticketReference) is open in Jira or
 * ServiceNow; false when the tracker has no such ticket; null when no tracker is set up for it or it cannot say</td></tr>
 * <tr><td>ticketAssignedToRequester</td><td>whether that ticket is assigned to the requester (by email);
 * null when unknown or the tracker does not show the assignee</td></tr>
 * <tr><td>withinBusinessHours</td><td>a working day, not a holiday, within the working hours
 * (airlock.context.business-hours, in airlock.policy.time-zone)</td></tr>
 * <tr><td>holidayToday</td><td>today is one of airlock.context.business-hours.holidays</td></tr>
 * <tr><td>ticketStatus, ticketKind</td><td>as the tracker names them ("In Progress", "Incident"); "not found"</td></tr>
 * </table>
 */
@Component
public class PolicyContext {

  public static final String REQUESTER_ON_CALL = "requesterOnCall";
  public static final String ON_CALL_SECONDS_LEFT = "onCallSecondsLeft";
  public static final String ON_CALL_UNTIL = "onCallUntil";
  public static final String ON_CALL_SCHEDULE = "onCallSchedule";
  public static final String TICKET_OPEN = "ticketOpen";
  public static final String TICKET_ASSIGNED_TO_REQUESTER = "ticketAssignedToRequester";
  public static final String TICKET_STATUS = "ticketStatus";
  public static final String TICKET_KIND = "ticketKind";
  public static final String WITHIN_BUSINESS_HOURS = "withinBusinessHours";
  public static final String HOLIDAY_TODAY = "holidayToday";
  /** What a shift without end counts as: longer than any scope allows. */
  static final long ENDLESS_SECONDS = Duration.ofDays(366).toSeconds();
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM HH:mm", Locale.ENGLISH);

  static final ContextProperties.BusinessHours NINE_TO_FIVE = new ContextProperties.BusinessHours(
      List.of(java.time.DayOfWeek.MONDAY, java.time.DayOfWeek.TUESDAY, java.time.DayOfWeek.WEDNESDAY,
          java.time.DayOfWeek.THURSDAY, java.time.DayOfWeek.FRIDAY), java.time.LocalTime.of(8, 0),
      java.time.LocalTime.of(18, 0), List.of());

  private final OnCall onCall;
  private final List<Tickets> trackers;
  private final ContextProperties.BusinessHours hours;

  @org.springframework.beans.factory.annotation.Autowired
  PolicyContext(ContextProperties properties) {
    this(onCall(properties), trackers(properties), properties.businessHours());
  }

  PolicyContext(OnCall onCall) {
    this(onCall, List.of(), NINE_TO_FIVE);
  }

  PolicyContext(OnCall onCall, List<Tickets> trackers) {
    this(onCall, trackers, NINE_TO_FIVE);
  }

  PolicyContext(OnCall onCall, List<Tickets> trackers, ContextProperties.BusinessHours hours) {
    this.onCall = onCall;
    this.trackers = List.copyOf(trackers);
    this.hours = hours;
  }

  /** PagerDuty when it is set up, else Opsgenie when it is, else nobody. */
  static OnCall onCall(ContextProperties properties) {
    if (properties.pagerduty().enabled()) {
      return new PagerDutyOnCall(properties.pagerduty());
    }
    return properties.opsgenie().enabled() ? new OpsgenieOnCall(properties.opsgenie()) : null;
  }

  static List<Tickets> trackers(ContextProperties properties) {
    List<Tickets> out = new ArrayList<>();
    if (properties.jira().enabled()) {
      out.add(new JiraTickets(properties.jira()));
    }
    if (properties.servicenow().enabled()) {
      out.add(new ServiceNowTickets(properties.servicenow()));
    }
    return out;
  }

  /** The tracker that holds tickets written like {@code reference}; empty when none is set up for it. */
  public Optional<Tickets> trackerOf(String reference) {
    return reference == null ? Optional.empty() : trackers.stream().filter(t -> t.handles(reference)).findFirst();
  }

  /** A fact that could not be known: which provider, which variable, and why, in words. */
  public record Unknown(String provider, String variable, String reason) {}

  /** The variables, and the facts that could not be known. */
  public record Facts(Map<String, Object> variables, List<Unknown> unknown) {}

  /**
   * The facts about a request's requester at {@code now} (in the policy's zone).
   *
   * @param email           the requester's email in Airlock's directory; null when it has none
   * @param ticketReference the ticket the request names (PolicyInputs' ticketReference); null when none
   */
  public Facts about(String requester, String email, String ticketReference, ZonedDateTime now) {
    Map<String, Object> in = new LinkedHashMap<>();
    for (String fact : List.of(REQUESTER_ON_CALL, ON_CALL_SECONDS_LEFT, ON_CALL_UNTIL, ON_CALL_SCHEDULE, TICKET_OPEN,
        TICKET_ASSIGNED_TO_REQUESTER, TICKET_STATUS, TICKET_KIND)) {
      in.put(fact, null);
    }
    in.put(WITHIN_BUSINESS_HOURS, hours.within(now));
    in.put(HOLIDAY_TODAY, hours.holidays().contains(now.toLocalDate()));
    List<Unknown> unknown = new ArrayList<>();
    ticket(requester, email, ticketReference, in, unknown);
    onCall(requester, email, now, in, unknown);
    return new Facts(in, unknown);
  }

  private void ticket(String requester, String email, String reference, Map<String, Object> in,
      List<Unknown> unknown) {
    Tickets tracker = trackerOf(reference).orElse(null);
    if (tracker == null) {
      return;
    }
    try {
      Optional<Tickets.Ticket> ticket = tracker.find(reference);
      in.put(TICKET_OPEN, ticket.map(Tickets.Ticket::open).orElse(false));
      in.put(TICKET_STATUS, ticket.map(t -> t.status() != null ? t.status() : t.open() ? "open" : "resolved")
          .orElse("not found"));
      in.put(TICKET_KIND, ticket.map(t -> t.kind() == null ? "Ticket" : t.kind()).orElse(null));
      Tickets.Ticket t = ticket.orElse(null);
      // Unassigned (or no such ticket): not the requester's. Assigned to someone whose email the
      // tracker does not show (or a requester without one): unknown.
      in.put(TICKET_ASSIGNED_TO_REQUESTER, t == null || !t.assigned() ? Boolean.FALSE
          : t.assigneeEmail() == null || email == null ? null : Boolean.valueOf(t.assigneeEmail().equalsIgnoreCase(email)));
    } catch (FactUnknown e) {
      unknown.add(new Unknown(tracker.provider(), TICKET_OPEN, tracker.provider() + " could not say whether "
          + reference + " is open: " + e.getMessage() + ". Rules that need it do not apply."));
    }
  }

  private void onCall(String requester, String email, ZonedDateTime now, Map<String, Object> in,
      List<Unknown> unknown) {
    if (onCall == null) {
      return;
    }
    if (email == null || email.isBlank()) {
      unknown.add(new Unknown(onCall.provider(), REQUESTER_ON_CALL, onCall.provider() + " was not asked whether "
          + requester + " is on call: Airlock's directory has no email address for them."));
      return;
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
    } catch (FactUnknown e) {
      unknown.add(new Unknown(onCall.provider(), REQUESTER_ON_CALL, onCall.provider() + " could not say whether "
          + requester + " is on call: " + e.getMessage() + ". Rules that need it do not apply."));
    }
  }
}
