package io.airlock.audit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Verifies the audit log without anyone asking (the schedule calls it on one node at a time):
 * {@link #verifyAll} the whole chain and the shipped anchors, {@link #verifyNew} only the entries
 * written since the last check, continuing from the hash of the last verified entry, which must
 * still be there unchanged (a full check also asks for it). That hash is kept in memory: after a
 * restart, or while the chain is broken, the next check is a full one.
 *
 * <p>A broken chain sets the gauges {@code airlock.audit.chain.intact} (0) and
 * {@code airlock.audit.chain.first.bad.seq}, the health {@code auditChain} (and
 * {@code auditShipping}) to WARNING, and, once per finding (not at every check), logs one ERROR
 * line, audits {@code audit.chain-broken} and publishes {@link AuditChainBroken} (the security
 * group is notified). Appending to a broken chain is fine: the break stays where it is, and the
 * entries after it still link to each other.
 */
@Component
public class AuditWatch {

  private static final Logger log = LoggerFactory.getLogger(AuditWatch.class);

  /** The audit action of a finding. */
  public static final String CHAIN_BROKEN = "audit.chain-broken";

  private final AuditLog audit;
  private final AuditVerifier verifier;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  /** The last entry verified on this node and its hash (null: none since start). */
  private Long verifiedSeq;
  private String verifiedHash;
  private volatile Finding finding;

  /**
   * What the last check on this node found.
   *
   * @param intact          the chain (and, in a full check, the anchors) verified
   * @param firstBadSeq     the first entry that does not, or null
   * @param problem         what is wrong with it
   * @param verifiedThrough the last entry known good
   * @param full            a full check (else only the new entries)
   * @param checkedAt       when
   */
  public record Finding(boolean intact, Long firstBadSeq, String problem, long verifiedThrough, boolean full,
      Instant checkedAt) {}

  AuditWatch(AuditLog audit, AuditVerifier verifier, ApplicationEventPublisher events, Clock clock,
      MeterRegistry meters) {
    this.audit = audit;
    this.verifier = verifier;
    this.events = events;
    this.clock = clock;
    Gauge.builder("airlock.audit.chain.intact", this, w -> w.finding == null ? Double.NaN : w.finding.intact() ? 1 : 0)
        .description("1 while the audit chain verifies, 0 when it is broken (NaN until this node has checked)")
        .register(meters);
    Gauge.builder("airlock.audit.chain.first.bad.seq", this,
            w -> w.finding == null || w.finding.firstBadSeq() == null ? 0 : w.finding.firstBadSeq())
        .description("The first audit entry that does not verify (0 when the chain is intact)").register(meters);
  }

  /** The last check's finding on this node, or null before the first. */
  public Finding finding() {
    return finding;
  }

  /** Verifies the whole chain and compares it with the anchors shipped to the archive. */
  public synchronized Finding verifyAll() {
    AuditLog.Verification chain = audit.verify();
    if (chain.intact() && verifiedSeq != null) {
      // The chain alone verifies also when its tail was cut back and the head reset to match:
      // the last entry this node verified must still be there.
      AuditLog.Verification tail = audit.verifyFrom(verifiedSeq, verifiedHash);
      if (!tail.intact()) {
        return report(false, tail.firstBadSeq(), tail.problem(), tail, true);
      }
    }
    AuditVerifier.Verification withAnchors = verifier.withAnchors(chain);
    boolean anchorsUnreadable = !withAnchors.intact() && withAnchors.firstBadSeq() == null;
    if (anchorsUnreadable) {
      // Not a finding about the log: the archive could not be read (S3 away). Say so, judge the chain.
      log.warn("Audit verification could not compare the anchors: {}", withAnchors.problem());
      return report(chain.intact(), chain.firstBadSeq(), chain.problem(), chain, true);
    }
    return report(withAnchors.intact(), withAnchors.firstBadSeq(), withAnchors.problem(), chain, true);
  }

  /** Verifies the entries written since the last check (all of them if there was none, or it failed). */
  public synchronized Finding verifyNew() {
    if (verifiedSeq == null || finding == null || !finding.intact()) {
      return verifyAll();
    }
    AuditLog.Verification chain = audit.verifyFrom(verifiedSeq, verifiedHash);
    return report(chain.intact(), chain.firstBadSeq(), chain.problem(), chain, false);
  }

  private Finding report(boolean intact, Long firstBadSeq, String problem, AuditLog.Verification chain, boolean full) {
    Finding before = finding;
    Finding now = new Finding(intact, firstBadSeq, problem, chain.verifiedThrough(), full, clock.instant());
    if (intact) {
      verifiedSeq = chain.verifiedThrough();
      verifiedHash = chain.verifiedHash();
    } // else: kept, and the next check is a full one (it also notices when the log is repaired)
    finding = now;
    if (!intact && (before == null || before.intact() || !Objects.equals(before.firstBadSeq(), firstBadSeq)
        || !Objects.equals(before.problem(), problem))) {
      log.error("Audit log broken at entry {}: {}. Entries from there on cannot be trusted; the security group is "
          + "notified (README, \"Audit verification\")", firstBadSeq, problem);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("firstBadSeq", firstBadSeq);
      details.put("problem", problem);
      details.put("full", full);
      audit.recordWhenTransactionEnds("airlock", CHAIN_BROKEN, null, details);
      events.publishEvent(new AuditChainBroken(firstBadSeq, problem, now.checkedAt()));
    } else if (intact && before != null && !before.intact()) {
      log.warn("Audit log verifies again through entry {} (it was broken at entry {}: {})", chain.verifiedThrough(),
          before.firstBadSeq(), before.problem());
    }
    return now;
  }
}
