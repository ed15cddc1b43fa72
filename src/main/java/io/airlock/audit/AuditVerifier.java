package io.airlock.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Verifies the audit log: the hash chain in the database ({@link AuditLog#verify()}), then the
 * database against the anchors shipped to the archive. Someone who can write the database can
 * rewrite the whole chain with fresh hashes, and it verifies; but each shipped object's key
 * holds the hash of the entry it ends at, written outside the database (with Object Lock), and
 * a rewritten entry changes every hash after it. An anchor that does not match is traced to the
 * first entry of its object that differs from the database.
 */
@Service
public class AuditVerifier {

  private final AuditLog log;
  private final AuditMapper mapper;
  private final ObjectProvider<AuditArchive> archive;
  private final ObjectProvider<AuditShippingProperties> shipping;

  AuditVerifier(AuditLog log, AuditMapper mapper, ObjectProvider<AuditArchive> archive,
      ObjectProvider<AuditShippingProperties> shipping) {
    this.log = log;
    this.mapper = mapper;
    this.archive = archive;
    this.shipping = shipping;
  }

  /**
   * @param intact          the chain and every anchor match
   * @param entriesChecked  entries of the database chain recomputed
   * @param firstBadSeq     the first entry that does not match (chain or anchors), or null
   * @param problem         what is wrong with it
   * @param anchorsChecked  shipped objects whose anchor was compared with the database (null: not shipped)
   * @param anchoredThrough the last entry anchored outside the database
   * @param archive         where the anchors are
   */
  public record Verification(boolean intact, long entriesChecked, Long firstBadSeq, String problem,
      Long anchorsChecked, Long anchoredThrough, String archive) {}

  @Transactional(readOnly = true)
  public Verification verify() {
    return withAnchors(log.verify());
  }

  /** The chain as {@link AuditLog#verify()} found it, compared with the anchors in the archive. */
  Verification withAnchors(AuditLog.Verification chain) {
    AuditArchive a = archive.getIfAvailable();
    AuditShippingProperties p = shipping.getIfAvailable();
    if (a == null || p == null) {
      return new Verification(chain.intact(), chain.entriesChecked(), chain.firstBadSeq(), chain.problem(), null, null,
          null);
    }
    List<ShippedBatch> anchors;
    try {
      anchors = a.keys(p.keyPrefix()).stream()
          .map(ShippedBatch::parse).flatMap(Optional::stream)
          .sorted(Comparator.comparingLong(ShippedBatch::lastSeq))
          .toList();
    } catch (RuntimeException unavailable) {
      // Not verified is not intact: say what could not be checked.
      return new Verification(false, chain.entriesChecked(), chain.firstBadSeq(),
          (chain.problem() == null ? "" : chain.problem() + "; ") + "the anchors in " + a.location(p.keyPrefix())
              + " could not be read: " + unavailable.getMessage(), null, null, a.location(p.keyPrefix()));
    }
    long checked = 0;
    long through = 0;
    Long badSeq = null;
    String problem = null;
    for (ShippedBatch anchor : anchors) {
      checked++;
      List<AuditEvent> row = mapper.findRange(anchor.lastSeq(), 1);
      if (row.isEmpty() || row.get(0).seq() != anchor.lastSeq()) {
        badSeq = anchor.lastSeq();
        problem = "entry " + anchor.lastSeq() + " was shipped to " + a.location(anchor.key())
            + " but is missing from the database";
        break;
      }
      if (!row.get(0).hash().equals(anchor.lastHash())) {
        badSeq = firstDifference(a, anchor);
        problem = "entry " + badSeq + " does not match the copy shipped to " + a.location(anchor.key())
            + " (the database chain was rewritten from there)";
        break;
      }
      through = Math.max(through, anchor.lastSeq());
    }
    boolean intact = chain.intact() && badSeq == null;
    Long first = chain.firstBadSeq();
    String firstProblem = chain.problem();
    if (badSeq != null && (first == null || badSeq < first)) {
      first = badSeq;
      firstProblem = problem;
    }
    return new Verification(intact, chain.entriesChecked(), first, firstProblem, checked, through,
        a.location(p.keyPrefix()));
  }

  /** The first entry of the shipped object whose hash differs from the database's (its last, if none). */
  private long firstDifference(AuditArchive a, ShippedBatch anchor) {
    if (anchor.firstSeq() > anchor.lastSeq() || anchor.lastSeq() - anchor.firstSeq() >= 10_000) {
      return anchor.lastSeq(); // not a batch the shipper writes: do not trust its range
    }
    List<JsonNode> shipped = AuditShipper.readJsonLines(a.get(anchor.key()));
    Map<Long, String> database = new java.util.HashMap<>();
    for (AuditEvent e : mapper.findRange(anchor.firstSeq(), (int) (anchor.lastSeq() - anchor.firstSeq() + 1))) {
      database.put(e.seq(), e.hash());
    }
    for (JsonNode line : shipped) {
      long seq = line.path("seq").asLong();
      if (!line.path("hash").asText().equals(database.get(seq))) {
        return seq;
      }
    }
    return anchor.lastSeq();
  }
}
