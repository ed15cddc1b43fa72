package io.airlock.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * The health component {@code auditChain}: the audit watch's last finding on this node. UP while
 * the chain verifies, WARNING (HTTP 200) when it is broken, UNKNOWN before this node has checked.
 * Not part of readiness: a broken log is for the security group to judge, and a row edited in the
 * database must not be a switch that stops Airlock (its revokes on request included).
 */
@Component("auditChainHealthIndicator")
class AuditChainHealthIndicator implements HealthIndicator {

  private final AuditWatch watch;

  AuditChainHealthIndicator(AuditWatch watch) {
    this.watch = watch;
  }

  @Override
  public Health health() {
    AuditWatch.Finding f = watch.finding();
    if (f == null) {
      return Health.unknown().withDetail("checked", "not yet on this node").build();
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("checkedAt", f.checkedAt().toString());
    details.put("full", f.full());
    details.put("verifiedThrough", f.verifiedThrough());
    if (!f.intact()) {
      details.put("firstBadSeq", f.firstBadSeq());
      details.put("problem", f.problem());
    }
    return Health.status(f.intact() ? Status.UP : AuditShippingConfiguration.WARNING).withDetails(details).build();
  }
}
