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
import java.util.ArrayList;
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
 *
 * <p>The chain has one head, and appending locks it until the transaction ends, so entries are
 * appended when the transaction commits (its last statements), not when they are recorded: a
 * transaction holds the head only for its append and commit, not for the rest of its work. A grant
 * job records the grant, then creates the principal's task, the expiry timer and Camunda's history
 * in the same transaction; holding the head through all that made every other audited change (a
 * due revoke's, a reviewer's) queue behind the grants running at the time (docs/benchmark.md,
 * "Revoke lateness benchmark").
 */
@Service
public class AuditLog {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuditLog.class);

  private static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private final AuditMapper mapper;
  private final Clock clock;
  private final TransactionTemplate ownTransaction;

  AuditLog(AuditMapper mapper, Clock clock, PlatformTransactionManager transactions,
      io.micrometer.core.instrument.MeterRegistry meters) {
    io.micrometer.core.instrument.Gauge.builder("airlock.audit.held", this, AuditLog::heldEntries)
        .description("Audit entries held in memory while the database cannot take them").register(meters);
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
    recordWhenTransactionEnds(actor, action, requestId, details);
  }

  /**
   * Appends an entry in a transaction of its own once the current transaction has ended (it may
   * hold the chain's head), or at once when there is none: for what is true whatever that
   * transaction does (a refusal, a finding of the audit watch).
   */
  public void recordWhenTransactionEnds(String actor, String action, String requestId, Map<String, ?> details) {
    Runnable write = () -> recordOwn(actor == null ? "anonymous" : actor, action, requestId, details);
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
   * Appends an entry in a transaction of its own, now. When the database cannot take it (it is
   * away, or the chain cannot be written), the entry is held in memory with the time it happened
   * and written, in order, as soon as the database can take it ({@link #writeHeld}, every 5 s):
   * an AWS call or a refusal made during a database outage is still on record once it is back.
   * Lost only if this node dies before that; one WARN line says how many are held. Returns
   * whether it was written now.
   */
  public boolean recordOwn(String actor, String action, String requestId, Map<String, ?> details) {
    Entry entry = entry(actor, action, requestId, details);
    if (held.isEmpty()) {
      try {
        ownTransaction.executeWithoutResult(s -> append(List.of(entry)));
        return true;
      } catch (RuntimeException e) {
        if (!databaseAway(e)) {
          // The database is there and refused this entry (a constraint, a trigger): holding it
          // would only hold back every later one.
          log.warn("Audit entry {} not written, the database refused it: {} ({})", action, e.toString(), details);
          return false;
        }
        log.warn("Audit entry {} held in memory until the database can take it: {}", action, e.toString());
      }
    }
    if (held.size() >= MAX_HELD) {
      log.error("Audit entry {} not written: the database has been away while {} entries were held, the most this"
          + " node keeps ({})", action, MAX_HELD, details);
      return false;
    }
    held.add(entry); // behind those already held, so the chain keeps the order they happened in
    return false;
  }

  /** Whether {@code e} says the database cannot be reached now (as opposed to refusing the entry). */
  public static boolean databaseAway(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.springframework.transaction.CannotCreateTransactionException
          || t instanceof org.springframework.dao.TransientDataAccessException
          || t instanceof org.springframework.dao.DataAccessResourceFailureException
          || t instanceof java.sql.SQLTransientException || t instanceof java.sql.SQLRecoverableException
          || t instanceof java.sql.SQLNonTransientConnectionException || t instanceof java.net.ConnectException) {
        return true;
      }
      // SQLSTATE class 08 (connection exception) and 57P (the server shutting down or starting)
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
      // A rollback that failed on a lost connection hides the first failure
      if (t instanceof org.springframework.transaction.TransactionSystemException tse
          && tse.getApplicationException() != null && databaseAway(tse.getApplicationException())) {
        return true;
      }
    }
    return false;
  }

  /** The most entries held in memory during an outage (a few hundred bytes each). */
  static final int MAX_HELD = 100_000;

  /** Entries {@link #recordOwn} could not write yet, oldest first. */
  private final java.util.concurrent.LinkedBlockingQueue<Entry> held = new java.util.concurrent.LinkedBlockingQueue<>();

  /** How many entries wait for the database (the gauge {@code airlock.audit.held}). */
  public int heldEntries() {
    return held.size();
  }

  /** Writes held entries, oldest first, each in its own transaction; stops at the first that fails. */
  @org.springframework.scheduling.annotation.Scheduled(fixedDelayString = "PT5S", initialDelayString = "PT5S")
  public synchronized void writeHeld() {
    int written = 0;
    for (Entry e = held.peek(); e != null; e = held.peek()) {
      Entry entry = e;
      try {
        ownTransaction.executeWithoutResult(s -> append(List.of(entry)));
      } catch (RuntimeException ex) {
        if (!databaseAway(ex)) {
          held.poll(); // refused, not away: dropping it lets the rest through
          log.warn("Held audit entry {} not written, the database refused it: {}", entry.action(), ex.toString());
          continue;
        }
        if (written > 0) {
          log.warn("{} held audit entries written; {} still wait for the database", written, held.size());
        }
        return;
      }
      held.poll();
      written++;
    }
    if (written > 0) {
      log.warn("{} audit entries held during a database outage are written now", written);
    }
  }

  /**
   * Appends an entry. Must run inside the transaction of the change it records; fails if
   * there is none, so no audited change can commit without its entry. The entry joins the chain
   * when that transaction commits (in the order recorded), and not at all if it rolls back; a
   * failing append rolls the whole transaction back.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public void record(String actor, String action, String requestId, Map<String, ?> details) {
    PendingEntries pending = null;
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      pending = pending();
      if (pending == null) {
        pending = new PendingEntries(this);
        TransactionSynchronizationManager.registerSynchronization(pending);
      }
    }
    add(entry(actor, action, requestId, details), pending);
  }

  /**
   * As {@link #record}, from another synchronization's {@code beforeCommit} (the transaction is
   * committing): with the transaction's own entries if they are not appended yet, else at once.
   * Never registers a synchronization: one registered while Spring runs {@code beforeCommit}
   * would not be called, and the entry would be lost.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public void recordWhileCommitting(String actor, String action, String requestId, Map<String, ?> details) {
    add(entry(actor, action, requestId, details),
        TransactionSynchronizationManager.isSynchronizationActive() ? pending() : null);
  }

  private Entry entry(String actor, String action, String requestId, Map<String, ?> details) {
    return new Entry(clock.instant().truncatedTo(ChronoUnit.MILLIS), actor, action, requestId, toJson(details));
  }

  /**
   * Queued with the transaction's entries; appended at once when there is no synchronization, or
   * when the transaction is already committing (the head is the transaction's by then).
   */
  private void add(Entry entry, PendingEntries pending) {
    if (pending == null || pending.appended) {
      append(List.of(entry));
    } else {
      pending.entries.add(entry);
    }
  }

  private PendingEntries pending() {
    return TransactionSynchronizationManager.getSynchronizations().stream()
        .filter(s -> s instanceof PendingEntries p && p.log == this).map(PendingEntries.class::cast)
        .findFirst().orElse(null);
  }

  /** Locks the head (until the transaction ends) and chains the entries after it. */
  private void append(List<Entry> entries) {
    AuditMapper.ChainHead head = mapper.lockHead();
    long seq = head.lastSeq();
    String prev = head.lastHash();
    for (Entry e : entries) {
      seq++;
      String hash = hash(prev, seq, e.at(), e.actor(), e.action(), e.requestId(), e.details());
      mapper.insert(new AuditEvent(seq, e.at(), e.actor(), e.action(), e.requestId(), e.details(), prev, hash));
      prev = hash;
    }
    mapper.moveHead(seq, prev);
  }

  private record Entry(Instant at, String actor, String action, String requestId, String details) {}

  /** The entries one transaction recorded, appended as it commits (before any other synchronization). */
  private static final class PendingEntries implements TransactionSynchronization {
    private final AuditLog log;
    private final List<Entry> entries = new ArrayList<>();
    private boolean appended;

    PendingEntries(AuditLog log) {
      this.log = log;
    }

    @Override
    public int getOrder() {
      return 0;
    }

    @Override
    public void beforeCommit(boolean readOnly) {
      appended = true;
      log.append(entries);
    }
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

  /**
   * A search of the log newest first, for people reading it: every filter optional; {@code before}
   * is the cursor (the last, oldest sequence number of the previous page; 0 for the first page).
   */
  public record Newest(Instant from, Instant to, String actor, String requestId, String action, String account,
      long before, int limit) {}

  /** Entries matching {@code query}, newest first (by sequence number: the order they joined the chain). */
  @Transactional(readOnly = true)
  public List<AuditEvent> newest(Newest query) {
    return mapper.searchNewest(query);
  }

  /** Recomputes the whole chain; reports the first entry that does not match. */
  @Transactional(readOnly = true)
  public Verification verify() {
    return verifyFrom(0, GENESIS);
  }

  /**
   * Recomputes the chain after entry {@code afterSeq}, which had the hash {@code afterHash} when
   * it was last verified (0 and {@link #GENESIS}: the whole chain). That entry must still be there
   * with that hash: a log cut back below it, or rewritten from there, does not verify.
   */
  @Transactional(readOnly = true)
  public Verification verifyFrom(long afterSeq, String afterHash) {
    if (afterSeq > 0) {
      List<AuditEvent> verified = mapper.findRange(afterSeq, 1);
      if (verified.isEmpty() || verified.get(0).seq() != afterSeq) {
        return new Verification(false, 0, afterSeq, "entry " + afterSeq + " is missing (it was there when the log "
            + "was last verified)", afterSeq - 1, null);
      }
      if (!verified.get(0).hash().equals(afterHash)) {
        return new Verification(false, 0, afterSeq, "entry " + afterSeq + " was changed after it was last verified",
            afterSeq - 1, null);
      }
    }
    String expectedPrev = afterHash;
    long next = afterSeq + 1;
    long checked = 0;
    while (true) {
      List<AuditEvent> page = mapper.findRange(next, 500);
      if (page.isEmpty()) {
        return new Verification(true, checked, null, null, next - 1, expectedPrev);
      }
      for (AuditEvent e : page) {
        String problem = null;
        if (e.seq() != next) {
          return new Verification(false, checked, next, "entry " + next + " is missing", next - 1, expectedPrev);
        } else if (!e.prevHash().equals(expectedPrev)) {
          problem = "entry " + e.seq() + " does not link to the previous entry";
        } else if (!hash(e.prevHash(), e.seq(), e.occurredAt(), e.actor(), e.action(), e.requestId(), e.details())
            .equals(e.hash())) {
          problem = "entry " + e.seq() + " was changed after it was written";
        }
        if (problem != null) {
          return new Verification(false, checked, e.seq(), problem, next - 1, expectedPrev);
        }
        expectedPrev = e.hash();
        next++;
        checked++;
      }
    }
  }

  /** The hash the first entry links to. */
  public static final String GENESIS = "0".repeat(64);

  /**
   * Result of {@link #verify()}: {@code verifiedThrough} is the last entry that verified, and
   * {@code verifiedHash} its hash (where a later check can continue from).
   */
  public record Verification(boolean intact, long entriesChecked, Long firstBadSeq, String problem,
      long verifiedThrough, String verifiedHash) {}

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
