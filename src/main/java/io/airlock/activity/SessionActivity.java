package io.airlock.activity;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.request.Caller;
import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.RequestNotFoundException;
import io.airlock.request.RequestService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the principal did with each grant: their CloudTrail events in the target account from
 * the grant's start to its end (the revoke, if earlier) plus {@code airlock.activity.after-end},
 * because an STS session outlives the removal of its assignment. Fetched after the grant ends,
 * again until the window has closed for longer than CloudTrail's delivery delay (then it is
 * complete), for active break-glass grants while they are under review, and on demand. Each
 * fetch replaces the stored events and is audited ({@code activity.fetched}, or
 * {@code activity.fetch-failed} with AWS's error), in one transaction.
 *
 * <p>AWS is called outside any transaction (a fetch waits for CloudTrail's quota of 2 calls a
 * second per account and region); only the result is stored in one.
 */
@Service
public class SessionActivity {

  private static final Logger log = LoggerFactory.getLogger(SessionActivity.class);
  /** CloudTrail's event history covers the last 90 days. */
  static final Duration HISTORY = Duration.ofDays(90);
  private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  /** The stored result of the last fetch of a request's activity. */
  public record Summary(String requestId, String accountId, String username, String regions, Instant windowStart,
      Instant windowEnd, Instant fetchedAt, String fetchedBy, boolean complete, int eventCount, boolean truncated,
      int lookups, String error) {}

  /** A request's activity as the API shows it; {@code summary} is null before the first fetch. */
  public record Activity(String requestId, Summary summary, String text, List<ActivityEvent> events) {}

  private final ActivityMapper mapper;
  private final ActivitySource source;
  private final ActivityProperties properties;
  private final AirlockProperties airlock;
  private final RequestService requests;
  private final AuditLog audit;
  private final ObjectProvider<ActivityReviewNotes> reviewNotes;
  private final Clock clock;
  private final TransactionTemplate tx;

  SessionActivity(ActivityMapper mapper, ActivitySource source, ActivityProperties properties, AirlockProperties airlock,
      RequestService requests, AuditLog audit, ObjectProvider<ActivityReviewNotes> reviewNotes, Clock clock,
      PlatformTransactionManager transactions) {
    this.mapper = mapper;
    this.source = source;
    this.properties = properties;
    this.airlock = airlock;
    this.requests = requests;
    this.audit = audit;
    this.reviewNotes = reviewNotes;
    this.clock = clock;
    this.tx = new TransactionTemplate(transactions);
  }

  /** The stored activity of a request, for whoever may see the request (else 404). */
  public Activity view(String requestId, Caller caller) {
    requests.get(requestId, caller); // the same visibility as the request itself
    Optional<Summary> summary = mapper.summary(requestId);
    List<ActivityEvent> events = summary.isPresent() ? mapper.events(requestId) : List.of();
    return new Activity(requestId, summary.orElse(null), summary.map(s -> text(s, events)).orElse(
        "Not fetched yet: Airlock reads CloudTrail after the grant ends."), events);
  }

  /**
   * Fetches now, on demand: approvers, auditors, operators and admins (it spends the account's
   * CloudTrail quota); others get 403 and the attempt is audited.
   */
  public Activity fetchNow(String requestId, Caller caller) {
    requests.get(requestId, caller);
    if (!caller.inAnyGroup(airlock.groups().readAll())) {
      audit.refused(caller.userId(), "refused.activity-fetch", requestId,
          Map.of("reason", "only approvers, auditors, operators and admins fetch session activity"));
      throw new ForbiddenActionException("Only approvers, auditors, operators and admins fetch session activity");
    }
    fetch(requestId, caller.userId());
    return view(requestId, caller);
  }

  /** Fetches every request whose activity is due (the schedule); returns how many were fetched. */
  public int fetchDue() {
    Instant now = clock.instant();
    List<String> due = mapper.due(now.minus(HISTORY), now.minus(properties.interval()),
        now.minus(properties.interval().multipliedBy(12)), 50);
    int fetched = 0;
    for (String id : due) {
      try {
        fetch(id, "airlock:activity");
        fetched++;
      } catch (RuntimeException e) {
        log.warn("Session activity of request {} not fetched, retried later: {}", id, e.toString());
      }
    }
    return fetched;
  }

  /**
   * Reads the principal's events of the grant's window from CloudTrail and stores them with the
   * audit entry. A failing lookup is stored (and audited) as the fetch's error and rethrown.
   */
  public Summary fetch(String requestId, String actor) {
    ActivityMapper.Grant g = mapper.grant(requestId).orElseThrow(() -> new RequestNotFoundException(requestId));
    if (g.grantStart() == null) {
      throw new ConflictingStateException("Request " + requestId + " has not been granted: there is no session activity");
    }
    Instant now = clock.instant();
    Instant ended = g.revokedAt() != null ? g.revokedAt() : g.grantEnd();
    Instant windowEnd = (ended == null ? now : ended).plus(properties.afterEnd());
    Instant queryEnd = windowEnd.isAfter(now) ? now : windowEnd;
    boolean complete = !now.isBefore(windowEnd.plus(properties.deliveryDelay()));
    List<String> regions = properties.regions().isEmpty() ? List.of(airlock.aws().region()) : properties.regions();

    List<ActivityEvent> events = new ArrayList<>();
    int lookups = 0;
    boolean truncated = false;
    try {
      for (String region : regions) {
        int left = properties.maxEvents() - events.size();
        if (left <= 0) {
          truncated = true;
          break;
        }
        ActivitySource.Lookup found = source.lookup(g.target(), region, g.principal(), g.grantStart(), queryEnd, left);
        lookups += found.calls();
        truncated |= found.truncated();
        // CloudTrail matches the user name exactly; keep only this principal's events all the same
        found.events().stream().filter(e -> g.principal().equals(e.username())).forEach(events::add);
      }
    } catch (RuntimeException e) {
      String error = truncate(e.getMessage() == null ? e.toString() : e.getMessage(), 1000);
      int calls = lookups;
      tx.executeWithoutResult(s -> {
        mapper.lockRequest(requestId);
        Optional<Summary> before = mapper.summary(requestId);
        mapper.deleteSummary(requestId);
        mapper.insertSummary(new Summary(requestId, g.target(), g.principal(), String.join(",", regions),
            g.grantStart(), windowEnd, now, actor, false, before.map(Summary::eventCount).orElse(0),
            before.map(Summary::truncated).orElse(false), calls, error));
        audit.record(actor, "activity.fetch-failed", requestId, details(g, regions, g.grantStart(), windowEnd,
            Map.of("error", error, "lookups", calls)));
      });
      throw new ActivityUnavailableException("CloudTrail lookup in account " + g.target() + " failed: " + error, e);
    }
    events.sort(java.util.Comparator.comparing(ActivityEvent::eventTime).thenComparing(ActivityEvent::eventId));
    Summary summary = new Summary(requestId, g.target(), g.principal(), String.join(",", regions), g.grantStart(),
        windowEnd, now, actor, complete, events.size(), truncated, lookups, null);
    tx.executeWithoutResult(s -> {
      mapper.lockRequest(requestId);
      mapper.deleteEvents(requestId);
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (ActivityEvent e : events) {
        if (seen.add(e.eventId())) {
          mapper.insertEvent(requestId, e);
        }
      }
      mapper.deleteSummary(requestId);
      mapper.insertSummary(summary);
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("events", events.size());
      extra.put("changes", events.stream().filter(e -> "false".equals(e.readOnly())).count());
      extra.put("complete", complete);
      extra.put("truncated", summary.truncated());
      extra.put("lookups", summary.lookups());
      extra.put("eventNames", counts(events));
      audit.record(actor, "activity.fetched", requestId, details(g, regions, g.grantStart(), windowEnd, extra));
      if (Boolean.TRUE.equals(g.breakGlass())) {
        ActivityReviewNotes notes = reviewNotes.getIfAvailable();
        if (notes != null) {
          notes.show(requestId, text(summary, events));
        }
      }
    });
    return summary;
  }

  private static Map<String, Object> details(ActivityMapper.Grant g, List<String> regions, Instant from, Instant to,
      Map<String, ?> extra) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("account", g.target());
    d.put("principal", g.principal());
    d.put("regions", regions);
    d.put("windowStart", from.toString());
    d.put("windowEnd", to.toString());
    d.putAll(extra);
    return d;
  }

  /** "eventSource:eventName" -> count, most frequent first in the text. */
  private static Map<String, Long> counts(List<ActivityEvent> events) {
    return events.stream().collect(Collectors.groupingBy(
        e -> e.eventSource().replace(".amazonaws.com", "") + ":" + e.eventName(), TreeMap::new, Collectors.counting()));
  }

  /** One paragraph a reviewer reads: how much, which changes, what, when fetched, complete or not. */
  static String text(Summary s, List<ActivityEvent> events) {
    StringBuilder t = new StringBuilder("Session activity of ").append(s.username()).append(" in ")
        .append(s.accountId()).append(" from ").append(HM.format(s.windowStart())).append(" to ")
        .append(HM.format(s.windowEnd())).append(" UTC: ");
    if (s.error() != null) {
      t.append("the last fetch failed (").append(s.error()).append("). ");
    }
    long changes = events.stream().filter(e -> "false".equals(e.readOnly())).count();
    t.append(s.eventCount()).append(s.eventCount() == 1 ? " event" : " events").append(s.truncated() ? " (truncated)" : "")
        .append(", ").append(changes).append(changes == 1 ? " change" : " changes").append('.');
    if (changes > 0) {
      t.append(" Changes: ").append(events.stream().filter(e -> "false".equals(e.readOnly()))
          .map(e -> e.eventSource().replace(".amazonaws.com", "") + ":" + e.eventName())
          .distinct().limit(20).collect(Collectors.joining(", "))).append('.');
    }
    Map<String, Long> counts = counts(events);
    if (!counts.isEmpty()) {
      t.append(" Calls: ").append(counts.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .limit(20).map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", "))).append('.');
    }
    t.append(" Fetched ").append(HM.format(s.fetchedAt().truncatedTo(ChronoUnit.MINUTES))).append(" UTC")
        .append(s.complete() ? " (complete)." : " (the window is still open or CloudTrail may still deliver events).");
    return truncate(t.toString(), 2000);
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
