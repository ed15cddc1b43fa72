package io.airlock.audit;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Shipping the audit log to the archive, when {@code airlock.audit.shipping.enabled}: the
 * shipper, its schedule and its health ({@code auditShipping}: UP while it keeps up, WARNING
 * when the oldest unshipped entry is older than {@code max-lag}, or the chain is broken: shipping
 * stopped at it, or the audit watch found it).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "airlock.audit.shipping.enabled", havingValue = "true")
class AuditShippingConfiguration {

  /** A health status between UP and DOWN: Airlock works, but an auditor should look. */
  static final Status WARNING = new Status("WARNING", "Airlock works, but an auditor should look");

  @Bean
  AuditShipper auditShipper(AuditMapper mapper, AuditArchive archive, AuditShippingProperties properties, Clock clock,
      PlatformTransactionManager transactions, MeterRegistry meters) {
    return new AuditShipper(mapper, archive, properties, clock, transactions, meters);
  }

  @Bean
  AuditShippingSchedule auditShippingSchedule(AuditShipper shipper) {
    return new AuditShippingSchedule(shipper);
  }

  @Bean
  HealthIndicator auditShippingHealthIndicator(AuditShipper shipper, AuditShippingProperties properties,
      AuditWatch watch) {
    return () -> {
      AuditShipper.Status s = shipper.status();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("lagEvents", s.lagEvents());
      details.put("lagSeconds", s.lagSeconds());
      details.put("shippedThrough", s.shippedThrough());
      if (s.lastShippedAt() != null) {
        details.put("lastShippedAt", s.lastShippedAt().toString());
        details.put("lastObject", s.lastObject());
      }
      if (s.consecutiveFailures() > 0) {
        details.put("consecutiveFailures", s.consecutiveFailures());
        details.put("lastError", s.lastError());
        details.put("nextAttempt", String.valueOf(s.nextAttempt()));
      }
      AuditWatch.Finding found = watch.finding();
      String chainProblem = s.chainProblem() != null ? s.chainProblem()
          : found != null && !found.intact() ? found.problem() : null;
      if (chainProblem != null) {
        details.put("chainProblem", chainProblem);
      }
      boolean behind = s.lagSeconds() > properties.maxLag().toSeconds() || chainProblem != null;
      return Health.status(behind ? WARNING : Status.UP).withDetails(details).build();
    };
  }

  /**
   * Runs the shipper every {@code interval}; the shipper itself skips runs while backing off.
   * At a graceful stop it ships the tail once more, before the database and S3 clients it
   * depends on are closed (Spring destroys this bean before them).
   */
  static class AuditShippingSchedule implements org.springframework.beans.factory.DisposableBean {
    private final AuditShipper shipper;

    AuditShippingSchedule(AuditShipper shipper) {
      this.shipper = shipper;
    }

    @Scheduled(initialDelayString = "${airlock.audit.shipping.initial-delay}",
        fixedDelayString = "${airlock.audit.shipping.interval}")
    void ship() {
      shipper.ship();
    }

    @Override
    public void destroy() {
      shipper.shipBeforeStopping();
    }
  }

}
