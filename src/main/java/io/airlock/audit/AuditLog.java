package io.airlock.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The tamper-evident audit log. Every entry is written in the caller's transaction (so it
 * commits or rolls back with the change it records) and carries the SHA-256 of its content
 * and of the previous entry; {@link #verify()} recomputes the chain.
 */
@Service
public class AuditLog {

  private static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private final AuditMapper mapper;
  private final Clock clock;
  private final TransactionTemplate ownTransaction;

  AuditLog(AuditMapper mapper, Clock clock, PlatformTransactionManager transactions) {
    this.mapper = mapper;
    this.clock = clock;
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  /**
   * Records an attempt that was refused. A refusal changes nothing, so the transaction it
   * happened in rolls back; the entry is written in a transaction of its own once that one has
   * ended (not before: the chain's head may be locked by it), or at once when there is none.
   */
  public void refused(String actor, String action, String requestId, Map<String, ?> details) {
    Runnable write = () -> ownTransaction.executeWithoutResult(s -> record(actor == null ? "anonymous" : actor,
        action, requestId, details));
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCompletion(int status) {
          write.run();
        }
      });
    } else {
      write.run();
    }
  }

  /**
   * Appends an entry. Must run inside the transaction of the change it records; fails if
   * there is none, so no audited change can commit without its entry.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public AuditEvent record(String actor, String action, String requestId, Map<String, ?> details) {
    String detailsJson = toJson(details);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    AuditMapper.ChainHead head = mapper.lockHead();
    long seq = head.lastSeq() + 1;
    String hash = hash(head.lastHash(), seq, now, actor, action, requestId, detailsJson);
    AuditEvent event = new AuditEvent(seq, now, actor, action, requestId, detailsJson, head.lastHash(), hash);
    mapper.insert(event);
    mapper.moveHead(seq, hash);
    return event;
  }

  @Transactional(readOnly = true)
  public List<AuditEvent> forRequest(String requestId) {
    return mapper.findByRequest(requestId);
  }

  /** Up to {@code limit} entries from sequence number {@code fromSeq} on, oldest first. */
  @Transactional(readOnly = true)
  public List<AuditEvent> range(long fromSeq, int limit) {
    return mapper.findRange(fromSeq, limit);
  }

  /**
   * A search of the log: every filter optional; {@code after} is the cursor (the last sequence
   * number of the previous page, 0 for the first).
   */
  public record Query(Instant from, Instant to, String actor, String requestId, String action, String account,
      long after, int limit) {}

  /** Entries matching {@code query}, oldest first. */
  @Transactional(readOnly = true)
  public List<AuditEvent> search(Query query) {
    return mapper.search(query);
  }

  /** Recomputes the whole chain; reports the first entry that does not match. */
  @Transactional(readOnly = true)
  public Verification verify() {
    String expectedPrev = "0".repeat(64);
    long next = 1;
    long checked = 0;
    while (true) {
      List<AuditEvent> page = mapper.findRange(next, 500);
      if (page.isEmpty()) {
        return new Verification(true, checked, null, null);
      }
      for (AuditEvent e : page) {
        if (e.seq() != next) {
          return new Verification(false, checked, next, "entry " + next + " is missing");
        }
        if (!e.prevHash().equals(expectedPrev)) {
          return new Verification(false, checked, e.seq(), "entry " + e.seq() + " does not link to the previous entry");
        }
        String recomputed = hash(e.prevHash(), e.seq(), e.occurredAt(), e.actor(), e.action(), e.requestId(), e.details());
        if (!recomputed.equals(e.hash())) {
          return new Verification(false, checked, e.seq(), "entry " + e.seq() + " was changed after it was written");
        }
        expectedPrev = e.hash();
        next++;
        checked++;
      }
    }
  }

  /** Result of {@link #verify()}. */
  public record Verification(boolean intact, long entriesChecked, Long firstBadSeq, String problem) {}

  static String hash(String prevHash, long seq, Instant at, String actor, String action, String requestId, String details) {
    String content = String.join("\n", prevHash, Long.toString(seq), at.toString(), actor, action,
        requestId == null ? "" : requestId, details);
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static String toJson(Map<String, ?> details) {
    try {
      // Sorted keys: the same details always give the same JSON, and so the same hash.
      return JSON.writeValueAsString(details == null ? Map.of() : new TreeMap<>(details));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("audit details are not serializable: " + e.getMessage(), e);
    }
  }
}
