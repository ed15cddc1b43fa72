package io.airlock.audit;

import java.time.Instant;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Where the audit log stands, for people, without recomputing anything: the audit watch's last
 * finding on this node ({@link AuditWatch}: in full at start and daily, the new entries every
 * minute) and how far the log is anchored outside the database (the shipper's last run). Reading
 * it costs nothing; the pages show it on every load.
 */
@Service
public class AuditState {

  private final AuditWatch watch;
  private final ObjectProvider<AuditShipper> shipper;

  AuditState(AuditWatch watch, ObjectProvider<AuditShipper> shipper) {
    this.watch = watch;
    this.shipper = shipper;
  }

  /**
   * @param checked         whether this node has checked the log since it started
   * @param intact          the last check verified the chain (and, in a full check, the anchors)
   * @param verifiedThrough the last entry known good (entries are numbered from 1: also how many were checked)
   * @param firstBadSeq     the first entry that does not verify, or null
   * @param problem         what is wrong with it, or null
   * @param checkedAt       when the last check ran, or null
   * @param full            the last check was a full one (with the anchors)
   * @param shipping        whether the log is shipped to an archive at all
   * @param anchoredThrough the last entry shipped to the archive (0: none yet)
   * @param anchoredAt      when that was, or null
   * @param archive         where the last shipped object is ({@code s3://bucket/key}), or null
   * @param shippingError   why the last shipping attempt failed, or null
   */
  public record State(boolean checked, boolean intact, long verifiedThrough, Long firstBadSeq, String problem,
      Instant checkedAt, boolean full, boolean shipping, long anchoredThrough, Instant anchoredAt, String archive,
      String shippingError) {}

  public State now() {
    AuditWatch.Finding f = watch.finding();
    AuditShipper s = shipper.getIfAvailable();
    AuditShipper.Status shipped = s == null ? null : s.status();
    String shippingProblem = shipped == null ? null
        : shipped.chainProblem() != null ? shipped.chainProblem() : shipped.lastError();
    return new State(f != null, f != null && f.intact(), f == null ? 0 : f.verifiedThrough(),
        f == null ? null : f.firstBadSeq(), f == null ? null : f.problem(), f == null ? null : f.checkedAt(),
        f != null && f.full(), shipped != null, shipped == null ? 0 : shipped.shippedThrough(),
        shipped == null ? null : shipped.lastShippedAt(), shipped == null ? null : shipped.lastObject(),
        shippingProblem);
  }
}
