package io.airlock.process;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.stereotype.Component;

/**
 * {@code airlock.incidents.open}: Camunda incidents open now (a grant or revoke that ran out of
 * retries, a failed drift reconciliation step), what an operator resolves in Cockpit. Read from
 * the engine at most every {@link #CACHE}; the same on every node, so dashboards take the max.
 */
@Component
class IncidentMetrics {

  static final Duration CACHE = Duration.ofSeconds(5);

  private final RuntimeService runtime;
  private final IdentityService identity;
  private volatile long value;
  private volatile long readAt;
  private volatile boolean read;

  IncidentMetrics(RuntimeService runtime, IdentityService identity, MeterRegistry meters) {
    this.runtime = runtime;
    this.identity = identity;
    Gauge.builder("airlock.incidents.open", this, IncidentMetrics::open)
        .description("Camunda incidents open (jobs out of retries), to resolve in Cockpit").register(meters);
  }

  private double open() {
    long now = System.nanoTime();
    if (!read || now - readAt > CACHE.toNanos()) {
      // All incidents, whoever scrapes: the engine would count only those the scraper may read.
      value = EngineIdentity.asAirlock(identity, () -> runtime.createIncidentQuery().count());
      readAt = now;
      read = true;
    }
    return value;
  }
}
