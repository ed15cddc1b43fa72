package io.airlock.inventory;

import io.airlock.logging.LogSafe;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockExtender;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Scans of AWS under the cluster's one scan lock (ShedLock {@value #LOCK}): the schedule's, and
 * those asked for (a drift run that needs an up-to-date inventory). At most one scan runs in the
 * cluster at a time, however long it takes: the lock is held {@link #LOCK_AT_MOST_FOR} and
 * extended while the scan reads AWS, so a node that dies mid-scan frees it within that time.
 *
 * <p>An ask is served by a scan that starts after it, incremental or full as the schedule's would
 * be ({@link InventoryService#refresh}): the trail names every change made through AWS's APIs, and
 * the daily full scan reads what it did not. The scan runs on a thread of its own, after the asking
 * transaction commits. While another node's scan holds the lock (it started before the ask, so
 * it does not count), this node tries again every {@link #RETRY_EVERY}, for at most
 * {@link #GIVE_UP_AFTER}; once it has the lock, a scan stored since the ask (the schedule's,
 * another node's) serves it without a second one. Asks arriving while one waits here coalesce
 * into it. A failed scan is logged and not repeated: the asker asks again (the drift run's timer).
 */
@Service
public class InventoryScans {

  private static final Logger log = LoggerFactory.getLogger(InventoryScans.class);

  /** The cluster lock every scan takes (a row of {@code shedlock}). */
  public static final String LOCK = "airlock-inventory-scan";
  /** How long a scan's lock outlives a node that died holding it; extended while the scan runs. */
  static final Duration LOCK_AT_MOST_FOR = Duration.ofMinutes(10);
  /** How often an ask tries the lock again while another scan holds it. */
  static final Duration RETRY_EVERY = Duration.ofSeconds(5);
  /** An ask waiting this long for the lock gives up (a drift run asks again after its timer, PT3H). */
  static final Duration GIVE_UP_AFTER = Duration.ofHours(3);

  private final InventoryService inventory;
  private final LockingTaskExecutor locks;
  private final Clock clock;
  private final Duration retryEvery;
  private final ScheduledExecutorService asked = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "airlock-inventory-scan-asked");
    t.setDaemon(true);
    return t;
  });
  /** The asks this node has not served yet: the latest one's time and actor; null: none. */
  private final AtomicReference<Ask> pending = new AtomicReference<>();
  private volatile boolean stopping;

  private record Ask(Instant at, String actor, Instant since) {}

  @Autowired
  InventoryScans(InventoryService inventory, LockProvider lockProvider, Clock clock) {
    this(inventory, lockProvider, clock, RETRY_EVERY);
  }

  /** With another delay between tries for the lock (tests). */
  InventoryScans(InventoryService inventory, LockProvider lockProvider, Clock clock, Duration retryEvery) {
    this.inventory = inventory;
    this.locks = new DefaultLockingTaskExecutor(lockProvider);
    this.clock = clock;
    this.retryEvery = retryEvery;
  }

  /**
   * Brings the inventory up to date ({@link InventoryService#refresh}: incremental when it can) if
   * no other scan holds the cluster lock (the schedule's turn); returns whether it scanned. A
   * failing scan throws, keeping the previous inventory.
   */
  public boolean refreshUnlessRunning(String actor) {
    return underLock(() -> inventory.refresh(actor, InventoryScans::extendLock)) != null;
  }

  /** How long an operator's scan on demand waits for a scan that holds the lock (a small organization's ends sooner). */
  static final Duration ON_DEMAND_WAIT = Duration.ofSeconds(20);

  /**
   * A full scan now, for an operator who asked for one, under the cluster's scan lock, waiting up
   * to {@link #ON_DEMAND_WAIT} for a scan that holds it; empty when that one is still running (its
   * result is in the inventory when it ends), so that two scans never spend AWS's quota at once.
   */
  public java.util.Optional<ScanSummary> scanEverythingNow(String actor) {
    long until = System.nanoTime() + ON_DEMAND_WAIT.toNanos();
    while (true) {
      ScanSummary done = underLock(() -> inventory.scan(actor, InventoryScans::extendLock));
      if (done != null || System.nanoTime() >= until) {
        return java.util.Optional.ofNullable(done);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return java.util.Optional.empty();
      }
    }
  }

  /**
   * Asks for a scan that starts after now, and returns now: the scan is queued when the caller's
   * transaction commits (at once without one), so it cannot finish before what the caller
   * committed (a drift run waiting for it) exists.
   */
  public Instant ask(String actor) {
    Instant at = clock.instant();
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          queue(actor);
        }
      });
    } else {
      queue(actor);
    }
    return at;
  }

  private void queue(String actor) {
    Instant now = clock.instant();
    Ask previous = pending.getAndUpdate(p -> new Ask(now, actor, p == null ? now : p.since()));
    if (previous != null) {
      log.debug("A scan is already asked for on this node; this ask waits for the same one");
      return;
    }
    submit(0);
  }

  private void submit(long delayMs) {
    if (stopping) {
      return;
    }
    try {
      asked.schedule(this::attempt, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("Not scanning: Airlock is shutting down");
    }
  }

  private void attempt() {
    Ask ask = pending.get();
    if (ask == null || stopping) {
      return;
    }
    try {
      Boolean ran = underLock(() -> {
        Ask served = pending.getAndSet(null); // the asks made until now; later ones queue another attempt
        if (served == null) {
          return Boolean.TRUE;
        }
        ScanSummary last = inventory.summary();
        if (last != null && last.startedAt() != null && !last.startedAt().isBefore(served.at())) {
          log.info("Inventory scan asked by {} at {}: the scan stored since ({} by {}) serves it", served.actor(),
              served.at(), last.startedAt(), last.actor());
          return Boolean.TRUE;
        }
        inventory.refresh(served.actor(), InventoryScans::extendLock);
        return Boolean.TRUE;
      });
      if (ran != null) {
        return;
      }
      if (Duration.between(ask.since(), clock.instant()).compareTo(GIVE_UP_AFTER) >= 0) {
        dropUnlessNewer(ask);
        log.warn("Inventory scan asked by {} not made: another scan held the lock {} for {}; the asker asks again",
            ask.actor(), LOCK, GIVE_UP_AFTER);
        return;
      }
      log.debug("Another node is scanning (it started before the ask); trying again in {}", retryEvery);
      submit(retryEvery.toMillis());
    } catch (RuntimeException e) {
      if (stopping) {
        log.info("Inventory scan asked by {} stopped: Airlock is shutting down", ask.actor());
      } else {
        // The previous inventory stays; whoever asked waits and asks again.
        log.warn("Inventory scan asked by {} failed, keeping the previous one: {}", ask.actor(),
            LogSafe.of(e.getMessage()));
      }
      // Failing before the lock was taken (its table unreachable), the asks are still pending:
      // drop them too, or every later ask on this node would coalesce into them and never run.
      dropUnlessNewer(ask);
    }
  }

  /**
   * Forgets the asks this attempt held; an ask coalesced into them meanwhile (it queued no attempt
   * of its own) gets one after the usual delay.
   */
  private void dropUnlessNewer(Ask held) {
    if (!pending.compareAndSet(held, null) && pending.get() != null) {
      submit(retryEvery.toMillis());
    }
  }

  /** Runs the scan under the cluster lock; null when another node holds it. */
  private <T> T underLock(java.util.function.Supplier<T> scan) {
    try {
      LockingTaskExecutor.TaskResult<T> result = locks.executeWithLock(scan::get,
          new LockConfiguration(ClockProvider.now(), LOCK, LOCK_AT_MOST_FOR, Duration.ZERO));
      return result.wasExecuted() ? result.getResult() : null;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keeps this node's lock while the scan runs; a lock that cannot be extended only costs a second scan. */
  private static void extendLock() {
    try {
      LockExtender.extendActiveLock(LOCK_AT_MOST_FOR, Duration.ZERO);
    } catch (RuntimeException e) {
      log.warn("Inventory scan lock not extended (another node may start a scan too): {}", LogSafe.of(e.toString()));
    }
  }

  /** On shutdown: no new attempt starts; a scan running is interrupted and its asker asks again. */
  @PreDestroy
  void stop() throws InterruptedException {
    stopping = true;
    asked.shutdownNow();
    if (!asked.awaitTermination(30, TimeUnit.SECONDS)) {
      log.warn("An asked-for inventory scan did not stop within 30 s of shutdown");
    }
  }
}
