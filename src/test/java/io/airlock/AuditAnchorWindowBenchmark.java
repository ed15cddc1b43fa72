package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.audit.AuditLog;
import io.airlock.audit.AuditShippingProperties;
import io.airlock.support.PostgresTestConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The unanchored window (README, "Audit shipping"; issue 29): how long an audit entry has no copy
 * outside the database, from the moment its transaction commits to the moment the shipping
 * checkpoint has moved past it (its object is stored in S3, locked). A benchmark, not a test: it
 * prints the figures ({@code mvn -Pbenchmark verify -Dtest=AuditAnchorWindowBenchmark},
 * docs/benchmark.md) and asserts only that every entry was shipped.
 *
 * <p>Two phases on PostgreSQL with the emulator's S3: a trickle ({@code benchmark.trickle}
 * entries, one every {@code benchmark.trickle-every}, as a quiet day writes them) and a burst
 * ({@code benchmark.burst} entries as fast as four writers go, as a mass revoke writes them).
 * The shipping settings are the defaults unless given, e.g.
 * {@code -Dairlock.audit.shipping.interval=PT5S}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.audit.shipping.enabled=true",
    "airlock.audit.shipping.initial-delay=PT0S",
    "airlock.reconciler.scheduled=false",
    "airlock.inventory.scheduled=false"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
class AuditAnchorWindowBenchmark {

  static final int TRICKLE = Integer.getInteger("benchmark.trickle", 120);
  static final Duration TRICKLE_EVERY = Duration.parse(System.getProperty("benchmark.trickle-every", "PT0.5S"));
  static final int BURST = Integer.getInteger("benchmark.burst", 5000);
  static final int WRITERS = 4;

  @Autowired AuditLog audit;
  @Autowired JdbcTemplate jdbc;
  @Autowired AuditShippingProperties shipping;

  /** When each entry was written (committed), and when the checkpoint was first seen past it. */
  final Map<Long, Long> written = new ConcurrentHashMap<>();
  final Map<Long, Long> anchored = new ConcurrentHashMap<>();

  @Test
  void theUnanchoredWindow() throws Exception {
    Thread watcher = new Thread(this::watchCheckpoint, "anchor-watcher");
    watcher.setDaemon(true);
    watcher.start();
    try {
      List<Long> trickle = new ArrayList<>();
      for (int i = 0; i < TRICKLE; i++) {
        trickle.add(write("trickle", i));
        Thread.sleep(TRICKLE_EVERY.toMillis());
      }
      long burstStart = System.nanoTime();
      List<Long> burst = Collections.synchronizedList(new ArrayList<>());
      io.airlock.support.Benchmarks.inParallel(WRITERS, range(BURST), i -> burst.add(write("burst", i)));
      double burstSeconds = (System.nanoTime() - burstStart) / 1e9;
      awaitAnchored(trickle);
      awaitAnchored(burst);

      String report = String.format(Locale.ROOT, """
          ANCHOR WINDOW BENCHMARK: shipping interval %s, batch-size %d
          | phase | entries | written over | window p50 | p99 | max |
          |---|---|---|---|---|---|
          %s
          %s
          """, shipping.interval(), shipping.batchSize(),
          row("trickle (one every " + TRICKLE_EVERY.toMillis() + " ms)", trickle,
              TRICKLE * TRICKLE_EVERY.toMillis() / 1000.0),
          row("burst (" + WRITERS + " writers)", burst, burstSeconds));
      System.out.println(report);
      Files.writeString(Path.of("target", "anchor-window-report.md"), report);
    } finally {
      watcher.interrupt();
    }
  }

  private long write(String phase, int i) {
    long before = maxSeq();
    assertThat(audit.recordOwn("benchmark", "benchmark." + phase, null, Map.of("n", i))).isTrue();
    long now = System.nanoTime();
    // recordOwn commits its own transaction: the entry is the newest of this writer's
    Long seq = jdbc.queryForObject("SELECT max(seq) FROM audit_event WHERE action = ? AND details LIKE ?", Long.class,
        "benchmark." + phase, "{\"n\":" + i + "}");
    assertThat(seq).isGreaterThan(before);
    written.put(seq, now);
    return seq;
  }

  private long maxSeq() {
    Long seq = jdbc.queryForObject("SELECT max(seq) FROM audit_event", Long.class);
    return seq == null ? 0 : seq;
  }

  /** Reads the checkpoint every 20 ms and notes when each written entry was first behind it. */
  private void watchCheckpoint() {
    while (!Thread.currentThread().isInterrupted()) {
      Long shippedThrough = jdbc.queryForObject("SELECT last_seq FROM audit_shipping WHERE id = 1", Long.class);
      long now = System.nanoTime();
      if (shippedThrough != null) {
        for (Long seq : written.keySet()) {
          if (seq <= shippedThrough) {
            anchored.putIfAbsent(seq, now);
          }
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void awaitAnchored(List<Long> seqs) throws InterruptedException {
    long deadline = System.nanoTime() + shipping.interval().multipliedBy(4).plusMinutes(2).toNanos();
    while (!anchored.keySet().containsAll(seqs)) {
      assertThat(System.nanoTime()).as("every entry shipped").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private String row(String phase, List<Long> seqs, double writtenOver) {
    List<Double> windows = seqs.stream().map(s -> (anchored.get(s) - written.get(s)) / 1e9).sorted().toList();
    return String.format(Locale.ROOT, "| %s | %d | %.1f s | %.1f s | %.1f s | %.1f s |", phase, seqs.size(),
        writtenOver, percentile(windows, 0.50), percentile(windows, 0.99), windows.get(windows.size() - 1));
  }

  private static double percentile(List<Double> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static List<Integer> range(int n) {
    List<Integer> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(i);
    }
    return list;
  }

  static {
    try {
      Files.createDirectories(Path.of("target"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
