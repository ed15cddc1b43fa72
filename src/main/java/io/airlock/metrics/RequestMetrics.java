package io.airlock.metrics;

import io.airlock.request.AccessRequest;
import io.airlock.request.RequestEvent;
import io.airlock.request.RequestStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Airlock's request metrics for Prometheus:
 *
 * <ul>
 *   <li>{@code airlock.grants.active} and {@code airlock.reviews.pending}: gauges read from the
 *       request table (at most every {@link #GAUGE_CACHE}), the same on every node of a cluster,
 *       so a dashboard takes their {@code max}, not their sum;</li>
 *   <li>{@code airlock.grant.latency}: from approval (the last review, or the submission when the
 *       policy approved it; a scheduled start counts from its start) to the access being
 *       {@code ACTIVE} in AWS, tagged {@code approval=review|policy}, recorded once the grant
 *       commits.</li>
 * </ul>
 */
@Component
class RequestMetrics {

  static final Duration GAUGE_CACHE = Duration.ofSeconds(5);

  private final MetricsMapper counts;
  private final MeterRegistry meters;
  private final Map<RequestStatus, Cached> cache = new ConcurrentHashMap<>();

  RequestMetrics(MetricsMapper counts, MeterRegistry meters) {
    this.counts = counts;
    this.meters = meters;
    Gauge.builder("airlock.grants.active", this, m -> m.count(RequestStatus.ACTIVE))
        .description("Requests whose access is active in AWS now").register(meters);
    Gauge.builder("airlock.reviews.pending", this, m -> m.count(RequestStatus.PENDING_REVIEW))
        .description("Requests waiting for an approver").register(meters);
  }

  private record Cached(long value, long at) {}

  private double count(RequestStatus status) {
    long now = System.nanoTime();
    Cached c = cache.get(status);
    if (c == null || now - c.at() > GAUGE_CACHE.toNanos()) {
      c = new Cached(counts.countByStatus(status.name()), now);
      cache.put(status, c);
    }
    return c.value();
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
  void statusChanged(RequestEvent event) {
    AccessRequest r = event.request();
    if (event.kind() != RequestEvent.Kind.STATUS_CHANGED || r.getStatus() != RequestStatus.ACTIVE
        || r.getGrantStart() == null) {
      return;
    }
    boolean byReview = "APPROVE".equals(r.getReviewOutcome()) && r.getReviewedAt() != null;
    Instant approved = byReview ? r.getReviewedAt() : r.getCreatedAt();
    if (approved == null) {
      return;
    }
    if (r.getStartAt() != null && r.getStartAt().isAfter(approved)) {
      approved = r.getStartAt();
    }
    Duration latency = Duration.between(approved, r.getGrantStart());
    Timer.builder("airlock.grant.latency")
        .description("From approval to the grant being sent to AWS (its recorded start)")
        .tag("approval", byReview ? "review" : "policy")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(100))
        .maximumExpectedValue(Duration.ofMinutes(30))
        .register(meters)
        .record(latency.isNegative() ? Duration.ZERO : latency);
  }
}
