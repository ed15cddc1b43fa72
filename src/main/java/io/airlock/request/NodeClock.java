package io.airlock.request;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One clock for the cluster: the database's. A grant's start and end, a revoke's time and every
 * due check are taken from Airlock's {@link Clock}, which is the node's; a node whose clock runs
 * ahead would revoke early, one that runs behind would grant before the recorded start. So the
 * node measures its clock against the database's at start and every
 * {@code airlock.clock.check-interval}, publishes the difference as the gauge
 * {@code airlock.clock.offset} (seconds, positive when this node is ahead), and refuses to grant
 * or revoke while the two differ by more than {@code airlock.clock.tolerance}: the step fails
 * with a sentence saying why, the job is retried (by another node, or by this one once its time
 * is right) and ends as a Cockpit incident if the clock stays wrong.
 *
 * <p>A measurement takes a transaction of its own and counts half the round trip, so it is as
 * good as the database's answer is quick. Before each grant and revoke the last measurement is
 * taken again when it is old, out of tolerance, or when the node's clock has jumped since (it
 * moved against the monotonic clock): a clock set wrong is caught at once, and one put right is
 * believed at once.
 */
@Component
public class NodeClock {

  private static final Logger log = LoggerFactory.getLogger(NodeClock.class);

  /**
   * A measurement: how far this node's clock is ahead of the database's, and when, by this
   * node's clock and by its monotonic clock (so that a jump of the node's clock since is seen).
   */
  record Offset(Duration ahead, long measuredAtNanos, Instant measuredAt) {}

  private final ClockMapper database;
  private final Clock clock;
  private final ClockProperties settings;
  private final TransactionTemplate ownTransaction;
  private final AtomicReference<Offset> last = new AtomicReference<>();

  NodeClock(ClockMapper database, Clock clock, ClockProperties settings, PlatformTransactionManager transactions,
      MeterRegistry meters) {
    this.database = database;
    this.clock = clock;
    this.settings = settings;
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    this.ownTransaction.setReadOnly(true);
    Gauge.builder("airlock.clock.offset", this, c -> {
          Offset o = c.last.get();
          return o == null ? Double.NaN : o.ahead().toNanos() / 1e9;
        })
        .description("How far this node's clock is ahead of the database's (negative: behind)")
        .baseUnit("seconds")
        .register(meters);
  }

  /** Measures the offset now (at start and every check interval); logs when it crosses the tolerance. */
  @Scheduled(initialDelay = 0, fixedDelayString = "${airlock.clock.check-interval:PT30S}")
  public void check() {
    try {
      measure();
    } catch (RuntimeException e) {
      log.warn("Could not compare this node's clock with the database's: {}", e.toString());
    }
  }

  /** This node's clock minus the database's, measured now in a transaction of its own. */
  public Duration measure() {
    Offset before = last.get();
    Offset now = ownTransaction.execute(s -> {
      long sent = System.nanoTime();
      Instant local = clock.instant();
      Instant db = database.now().toInstant();
      long roundTrip = System.nanoTime() - sent;
      // the database read its clock somewhere in the round trip: count its middle
      Instant localAtRead = local.plusNanos(roundTrip / 2);
      return new Offset(Duration.between(db, localAtRead), System.nanoTime(), clock.instant());
    });
    last.set(now);
    boolean wasOut = before != null && beyond(before.ahead());
    if (beyond(now.ahead()) && !wasOut) {
      log.error("This node's clock is {} the database's: it grants and revokes nothing until they agree within {}"
          + " (set its time right, e.g. NTP)", describe(now.ahead()), words(settings.tolerance()));
    } else if (wasOut && !beyond(now.ahead())) {
      log.warn("This node's clock agrees with the database's again ({}): grants and revokes go on",
          describe(now.ahead()));
    }
    return now.ahead();
  }

  /** The last measured offset (positive: this node is ahead), if any. */
  public Duration offset() {
    Offset o = last.get();
    return o == null ? null : o.ahead();
  }

  /**
   * Refuses {@code action} (grant, revoke) while this node's clock and the database's differ by
   * more than the tolerance, measuring again first when the last measurement is old or out of
   * tolerance. Throws {@link AccessOperationException} with the sentence an operator reads in the
   * Cockpit incident.
   */
  public void requireAgreement(String action) {
    Offset o = last.get();
    boolean stale = o == null || System.nanoTime() - o.measuredAtNanos() > settings.checkInterval().toNanos() * 2;
    Duration ahead = o == null ? null : o.ahead();
    if (stale || beyond(ahead) || jumped(o)) {
      try {
        ahead = measure();
      } catch (RuntimeException e) {
        throw new AccessOperationException("Refused to " + action + ": this node could not compare its clock with "
            + "the database's (" + e.getClass().getSimpleName() + "); it tries again", e);
      }
    }
    if (beyond(ahead)) {
      throw new AccessOperationException("Refused to " + action + " on this node: its clock is " + describe(ahead)
          + " the database's (more than " + words(settings.tolerance()) + "), so its times would be wrong. Set the"
          + " node's time right (NTP); the step is retried, by another node or by this one once the clocks agree");
    }
  }

  /** Whether this node's clock moved against its monotonic clock since {@code o} by more than half the tolerance. */
  private boolean jumped(Offset o) {
    long byClock = Duration.between(o.measuredAt(), clock.instant()).toNanos();
    long byMonotonic = System.nanoTime() - o.measuredAtNanos();
    return Math.abs(byClock - byMonotonic) > settings.tolerance().toNanos() / 2;
  }

  private boolean beyond(Duration ahead) {
    return ahead != null && ahead.abs().compareTo(settings.tolerance()) > 0;
  }

  static String describe(Duration ahead) {
    return String.format(Locale.ROOT, "%.1f s %s", Math.abs(ahead.toMillis()) / 1000.0,
        ahead.isNegative() ? "behind" : "ahead of");
  }

  private static String words(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
