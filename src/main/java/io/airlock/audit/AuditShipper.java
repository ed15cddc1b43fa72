package io.airlock.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Ships the audit log to the archive (S3) in batches of gzip-compressed JSON Lines, at least
 * once and, across restarts, once.
 *
 * <p>Each batch runs in one transaction that locks the checkpoint ({@code audit_shipping}),
 * reads the entries after it, stores the object and moves the checkpoint: a failure leaves the
 * checkpoint where it was, so nothing is skipped; a second node waits for the lock instead of
 * shipping the same entries. Only one window repeats work: the object stored, then the
 * transaction lost (crash, database gone). So after a start or a failure the shipper first
 * lists the objects that begin where the checkpoint ends and, if one is there and matches the
 * database, adopts it instead of writing the entries again.
 *
 * <p>Before shipping a batch it checks that the entries link to the checkpoint and to each
 * other and that their hashes are right: a log tampered with in the database is not anchored;
 * shipping stops there and says so (health, log).
 *
 * <p>While the archive fails, attempts back off from {@code interval} doubling to
 * {@code maxBackoff} (on top of the SDK's own retries of each call). The lag (entries, and
 * seconds since the oldest unshipped one was written) is a metric and, past {@code maxLag}, a
 * health warning.
 */
public class AuditShipper {

  private static final Logger log = LoggerFactory.getLogger(AuditShipper.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String GENESIS = AuditLog.GENESIS;

  private final AuditMapper mapper;
  private final AuditArchive archive;
  private final AuditShippingProperties properties;
  private final Clock clock;
  private final TransactionTemplate transaction;
  private final Counter shippedBatches;
  private final Counter shippedEvents;
  private final Counter failedBatches;
  private final AtomicLong lagEvents = new AtomicLong();
  private final AtomicLong lagSeconds = new AtomicLong();

  private boolean uncertain = true;
  private int consecutiveFailures;
  private Instant nextAttempt = Instant.EPOCH;
  private volatile Status status = new Status(0, 0, 0, null, null, 0, null, null, null);

  /** What the health indicator reports. */
  public record Status(long lagEvents, long lagSeconds, long shippedThrough, Instant lastShippedAt, String lastObject,
      int consecutiveFailures, String lastError, Instant nextAttempt, String chainProblem) {}

  AuditShipper(AuditMapper mapper, AuditArchive archive, AuditShippingProperties properties, Clock clock,
      PlatformTransactionManager transactions, MeterRegistry meters) {
    this.mapper = mapper;
    this.archive = archive;
    this.properties = properties;
    this.clock = clock;
    this.transaction = new TransactionTemplate(transactions);
    this.shippedBatches = Counter.builder("airlock.audit.shipping.batches").tag("outcome", "shipped")
        .description("Audit batches stored in the archive").register(meters);
    this.failedBatches = Counter.builder("airlock.audit.shipping.batches").tag("outcome", "failed")
        .description("Attempts to ship an audit batch that failed").register(meters);
    this.shippedEvents = Counter.builder("airlock.audit.shipping.events")
        .description("Audit entries stored in the archive").register(meters);
    Gauge.builder("airlock.audit.shipping.lag.events", lagEvents, AtomicLong::get)
        .description("Audit entries written but not yet shipped").register(meters);
    Gauge.builder("airlock.audit.shipping.lag.seconds", lagSeconds, AtomicLong::get)
        .description("Age of the oldest audit entry not yet shipped").baseUnit("seconds").register(meters);
  }

  /**
   * Ships every batch there is, unless backing off after a failure. Returns the number of
   * entries now in the archive that were not before.
   */
  public synchronized long ship() {
    long shipped = 0;
    String error = null;
    String chainProblem = null;
    try {
      if (clock.instant().isBefore(nextAttempt)) {
        return 0;
      }
      while (true) {
        Long n = transaction.execute(s -> shipOneBatch());
        if (n == null || n == 0) {
          break;
        }
        shipped += n;
      }
      consecutiveFailures = 0;
      nextAttempt = Instant.EPOCH;
    } catch (ChainBrokenException e) {
      chainProblem = e.getMessage();
      error = e.getMessage();
      log.error("Audit shipping stopped: {}", e.getMessage());
      backOff();
    } catch (RuntimeException e) {
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
      failedBatches.increment();
      uncertain = true;
      backOff();
      log.warn("Audit shipping failed (attempt {} in a row), next attempt at {}: {}", consecutiveFailures, nextAttempt,
          io.airlock.logging.LogSafe.of(error));
    } finally {
      refreshStatus(error, chainProblem);
    }
    return shipped;
  }

  /**
   * Ships what is left, once, when Airlock stops gracefully (whatever the back-off), so entries
   * written since the last run are anchored before the node goes: the unanchored window is
   * {@code interval} while it runs, not the time until the next start.
   */
  public synchronized long shipBeforeStopping() {
    nextAttempt = Instant.EPOCH;
    long shipped = ship();
    log.info("Audit shipping at shutdown: {} entries shipped, {} left unshipped", shipped, status().lagEvents());
    return shipped;
  }

  /** The state of shipping as of the last run. */
  public Status status() {
    return status;
  }

  public AuditShippingProperties properties() {
    return properties;
  }

  private void backOff() {
    consecutiveFailures++;
    long factor = 1L << Math.min(consecutiveFailures - 1, 20);
    Duration wait = properties.interval().multipliedBy(factor);
    if (wait.compareTo(properties.maxBackoff()) > 0) {
      wait = properties.maxBackoff();
    }
    nextAttempt = clock.instant().plus(wait);
  }

  private long shipOneBatch() {
    AuditMapper.Checkpoint checkpoint = mapper.lockCheckpoint();
    List<AuditEvent> page = mapper.findRange(checkpoint.lastSeq() + 1, properties.batchSize());
    if (page.isEmpty()) {
      return 0;
    }
    LocalDate day = ShippedBatch.dayOf(page.get(0));
    List<AuditEvent> batch = page.stream().takeWhile(e -> ShippedBatch.dayOf(e).equals(day)).toList();
    checkLinks(checkpoint, batch);
    AuditEvent first = batch.get(0);
    if (uncertain) {
      Optional<Long> adopted = adoptShipped(checkpoint, day, first.seq());
      uncertain = false;
      if (adopted.isPresent()) {
        return adopted.get();
      }
    }
    AuditEvent last = batch.get(batch.size() - 1);
    ShippedBatch object = ShippedBatch.of(properties.keyPrefix(), day, first.seq(), last.seq(), last.hash());
    archive.put(object.key(), gzipJsonLines(batch), Map.of(
        "airlock-first-seq", Long.toString(first.seq()),
        "airlock-last-seq", Long.toString(last.seq()),
        "airlock-chain-head", last.hash(),
        "airlock-prev-hash", first.prevHash()));
    mapper.moveCheckpoint(last.seq(), last.hash(), object.key(), clock.instant());
    shippedBatches.increment();
    shippedEvents.increment(batch.size());
    log.debug("Shipped audit entries {}..{} to {}", first.seq(), last.seq(), archive.location(object.key()));
    return batch.size();
  }

  /**
   * An object that starts where the checkpoint ends may be there already (stored, then the
   * transaction was lost). Adopt it if its anchor is the database's entry; return how many
   * entries that covers.
   */
  private Optional<Long> adoptShipped(AuditMapper.Checkpoint checkpoint, LocalDate day, long firstSeq) {
    for (String key : archive.keys(ShippedBatch.startingAt(properties.keyPrefix(), day, firstSeq))) {
      Optional<ShippedBatch> found = ShippedBatch.parse(key);
      if (found.isEmpty()) {
        continue;
      }
      ShippedBatch b = found.get();
      List<AuditEvent> anchor = mapper.findRange(b.lastSeq(), 1);
      if (!anchor.isEmpty() && anchor.get(0).seq() == b.lastSeq() && anchor.get(0).hash().equals(b.lastHash())) {
        mapper.moveCheckpoint(b.lastSeq(), b.lastHash(), key, clock.instant());
        log.info("Audit entries {}..{} were already in {}: checkpoint moved, nothing written again", b.firstSeq(),
            b.lastSeq(), archive.location(key));
        return Optional.of(b.lastSeq() - checkpoint.lastSeq());
      }
      log.warn("{} does not match the database's entry {}: not adopted", archive.location(key), b.lastSeq());
    }
    return Optional.empty();
  }

  private void checkLinks(AuditMapper.Checkpoint checkpoint, List<AuditEvent> batch) {
    long expectedSeq = checkpoint.lastSeq() + 1;
    String expectedPrev = checkpoint.lastHash();
    for (AuditEvent e : batch) {
      if (e.seq() != expectedSeq) {
        throw new ChainBrokenException("entry " + expectedSeq + " is missing from the database");
      }
      if (!e.prevHash().equals(expectedPrev)) {
        throw new ChainBrokenException("entry " + e.seq() + " does not link to the last shipped entry or the one before it");
      }
      String recomputed = AuditLog.hash(e.prevHash(), e.seq(), e.occurredAt(), e.actor(), e.action(), e.requestId(),
          e.details());
      if (!recomputed.equals(e.hash())) {
        throw new ChainBrokenException("entry " + e.seq() + " was changed after it was written");
      }
      expectedSeq++;
      expectedPrev = e.hash();
    }
  }

  private void refreshStatus(String error, String chainProblem) {
    try {
      AuditMapper.Checkpoint checkpoint = mapper.checkpoint();
      long head = mapper.headSeq();
      long behind = Math.max(0, head - checkpoint.lastSeq());
      long seconds = 0;
      if (behind > 0) {
        List<AuditEvent> oldest = mapper.findRange(checkpoint.lastSeq() + 1, 1);
        if (!oldest.isEmpty()) {
          seconds = Math.max(0, Duration.between(oldest.get(0).occurredAt(), clock.instant()).toSeconds());
        }
      }
      lagEvents.set(behind);
      lagSeconds.set(seconds);
      status = new Status(behind, seconds, checkpoint.lastSeq(), checkpoint.shippedAt(),
          checkpoint.lastKey() == null ? null : archive.location(checkpoint.lastKey()), consecutiveFailures,
          error, consecutiveFailures == 0 ? null : nextAttempt, chainProblem);
    } catch (RuntimeException e) {
      log.warn("Cannot read the audit shipping lag: {}", io.airlock.logging.LogSafe.of(String.valueOf(e.getMessage())));
    }
  }

  static byte[] gzipJsonLines(List<AuditEvent> events) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      for (AuditEvent e : events) {
        ObjectNode line = JSON.createObjectNode();
        line.put("seq", e.seq());
        line.put("occurredAt", e.occurredAt().toString());
        line.put("actor", e.actor());
        line.put("action", e.action());
        line.put("requestId", e.requestId());
        line.set("details", JSON.readTree(e.details()));
        line.put("prevHash", e.prevHash());
        line.put("hash", e.hash());
        gz.write(JSON.writeValueAsBytes(line));
        gz.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The entries of a shipped object, one JSON object per line. */
  public static List<JsonNode> readJsonLines(byte[] gzipped) {
    List<JsonNode> lines = new ArrayList<>();
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          lines.add(JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("not gzip-compressed JSON Lines: " + e.getMessage(), e);
    }
    return lines;
  }

  /** The database's entries do not form the chain the archive continues. */
  static final class ChainBrokenException extends RuntimeException {
    ChainBrokenException(String message) {
      super(message);
    }
  }
}
