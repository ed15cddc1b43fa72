package io.airlock.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.support.AdjustableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The scans a drift run asks for, on a fake cluster lock and a fake inventory (tries for the lock
 * every 50 ms instead of 5 s): made after the asking transaction commits, once for asks that
 * wait together, not while another node holds the lock, not at all when a scan stored since the
 * ask serves it, again for an ask made while a scan runs; a failed scan is not repeated, an ask
 * that waited too long gives up, and shutdown stops the thread.
 */
class InventoryScansTest {

  private final AdjustableClock clock = new AdjustableClock();
  private final FakeLock lock = new FakeLock();
  private final FakeInventory inventory = new FakeInventory();
  private final InventoryScans scans = new InventoryScans(inventory, lock, clock, Duration.ofMillis(50));

  @AfterEach
  void stop() throws InterruptedException {
    inventory.release.countDown();
    scans.stop();
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.clearSynchronization();
    }
  }

  @Test
  void anAskIsScannedOnlyAfterTheAskingTransactionCommits() throws InterruptedException {
    TransactionSynchronizationManager.initSynchronization();
    Instant asked = scans.ask("airlock:drift");
    Thread.sleep(200);
    assertThat(inventory.started).as("before the commit").isEmpty();
    assertThat(lock.tries).hasValue(0);

    List<TransactionSynchronization> committed = TransactionSynchronizationManager.getSynchronizations();
    TransactionSynchronizationManager.clearSynchronization();
    committed.forEach(TransactionSynchronization::afterCommit);
    await().atMost(Duration.ofSeconds(5)).until(() -> inventory.started.size() == 1);
    assertThat(inventory.started.get(0)).isAfterOrEqualTo(asked);
    assertThat(inventory.actors).containsExactly("airlock:drift");
  }

  @Test
  void asksWaitingWhileAnotherNodeScansAreServedByOneScanOnceTheLockIsFree() throws InterruptedException {
    lock.heldElsewhere = true;
    scans.ask("airlock:drift");
    scans.ask("airlock:drift");
    scans.ask("airlock:drift");
    await().atMost(Duration.ofSeconds(5)).until(() -> lock.tries.get() >= 3);
    assertThat(inventory.started).as("no scan while another node holds the lock").isEmpty();

    lock.heldElsewhere = false;
    await().atMost(Duration.ofSeconds(5)).until(() -> inventory.started.size() == 1);
    Thread.sleep(300);
    assertThat(inventory.started).as("one scan for the three asks").hasSize(1);
  }

  @Test
  void aScanStoredSinceTheAskServesItWithoutASecondOne() throws InterruptedException {
    lock.heldElsewhere = true;
    scans.ask("airlock:drift");
    await().atMost(Duration.ofSeconds(5)).until(() -> lock.tries.get() >= 1);
    // Another node's scan (or the schedule's, incremental) started after the ask and is stored.
    inventory.last = summary(clock.instant().plusMillis(1));
    lock.heldElsewhere = false;
    int tries = lock.tries.get();
    await().atMost(Duration.ofSeconds(5)).until(() -> lock.acquired.get() >= 1 && lock.tries.get() > tries);
    Thread.sleep(300);
    assertThat(inventory.started).isEmpty();
  }

  @Test
  void anAskMadeWhileAScanRunsGetsAScanThatStartsAfterIt() {
    inventory.blocking = true;
    scans.ask("airlock:drift");
    await().atMost(Duration.ofSeconds(5)).until(() -> inventory.started.size() == 1);
    Instant asked = scans.ask("airlock:drift");
    inventory.blocking = false;
    inventory.release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> inventory.started.size() == 2);
    assertThat(inventory.started.get(1)).as("the second scan began after the second ask").isAfterOrEqualTo(asked);
  }

  @Test
  void aFailedScanIsNotRepeatedTheAskerAsksAgain() throws InterruptedException {
    inventory.failing = true;
    scans.ask("airlock:drift");
    await().atMost(Duration.ofSeconds(5)).until(() -> inventory.started.size() == 1);
    Thread.sleep(300);
    assertThat(inventory.started).hasSize(1);
    assertThat(lock.tries).hasValue(1);

    inventory.failing = false;
    scans.ask("airlock:drift");
    await().atMost(Duration.ofSeconds(5)).until(() -> inventory.started.size() == 2);
  }

  @Test
  void anAskThatWaitedThreeHoursForTheLockGivesUp() throws InterruptedException {
    lock.heldElsewhere = true;
    scans.ask("airlock:drift");
    await().atMost(Duration.ofSeconds(5)).until(() -> lock.tries.get() >= 1);
    clock.advance(InventoryScans.GIVE_UP_AFTER);
    int tries = lock.tries.get();
    await().atMost(Duration.ofSeconds(5)).until(() -> lock.tries.get() > tries);
    Thread.sleep(200);
    int gaveUp = lock.tries.get();
    lock.heldElsewhere = false;
    Thread.sleep(300);
    assertThat(lock.tries).as("no more tries").hasValue(gaveUp);
    assertThat(inventory.started).isEmpty();
  }

  @Test
  void shutdownStopsARunningScanAndTakesNoMoreAsks() throws InterruptedException {
    inventory.blocking = true;
    scans.ask("airlock:drift");
    await().atMost(Duration.ofSeconds(5)).until(() -> inventory.started.size() == 1);
    long t0 = System.nanoTime();
    scans.stop();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the scan was interrupted")
        .isLessThan(Duration.ofSeconds(5));
    assertThat(inventory.interrupted).isTrue();

    inventory.blocking = false;
    scans.ask("airlock:drift");
    Thread.sleep(200);
    assertThat(inventory.started).hasSize(1);
  }

  private static ScanSummary summary(Instant started) {
    return new ScanSummary(started, started.plusSeconds(1), "airlock", 1000, 36, 4, 5, 3, 6, 4, 1,
        ScanSummary.INCREMENTAL, started.minusSeconds(3600), 2);
  }

  @Test
  void theSchedulesTurnRefreshesUnderTheSameLockAndIsSkippedWhileAnotherNodeScans() {
    lock.heldElsewhere = true;
    assertThat(scans.refreshUnlessRunning("airlock")).isFalse();
    assertThat(inventory.refreshes).hasValue(0);
    lock.heldElsewhere = false;
    assertThat(scans.refreshUnlessRunning("airlock")).isTrue();
    assertThat(inventory.refreshes).hasValue(1);
  }

  @Test
  void anAskedScanIsTheSchedulesKind() {
    scans.ask("airlock:drift");
    await().atMost(Duration.ofSeconds(5)).until(() -> inventory.started.size() == 1);
    assertThat(inventory.refreshes).as("incremental when it can, as the schedule's").hasValue(1);
  }

  @Test
  void anAskWhoseLockCouldNotBeTakenOnceDoesNotStrandTheNodesLaterAsks() {
    lock.failNext.set(1);
    scans.ask("airlock:drift");
    await().atMost(Duration.ofSeconds(5)).until(() -> lock.tries.get() >= 1);
    // The drift run's timer asks again (PT3H later); the lock works again by then.
    scans.ask("airlock:drift");
    await().atMost(Duration.ofSeconds(5)).until(() -> inventory.started.size() == 1);
  }

  /** The cluster lock: free, or held by another node. */
  static final class FakeLock implements LockProvider {
    volatile boolean heldElsewhere;
    final AtomicInteger tries = new AtomicInteger();
    final AtomicInteger acquired = new AtomicInteger();
    /** How many of the next tries fail (the lock's table cannot be reached). */
    final AtomicInteger failNext = new AtomicInteger();

    @Override
    public Optional<SimpleLock> lock(LockConfiguration configuration) {
      assertThat(configuration.getName()).isEqualTo(InventoryScans.LOCK);
      tries.incrementAndGet();
      if (failNext.getAndDecrement() > 0) {
        throw new IllegalStateException("could not reach the shedlock table");
      }
      if (heldElsewhere) {
        return Optional.empty();
      }
      acquired.incrementAndGet();
      return Optional.of(() -> { });
    }
  }

  /** The inventory: records each scan's start; may block until released, or fail. */
  final class FakeInventory extends InventoryService {
    final List<Instant> started = new CopyOnWriteArrayList<>();
    final List<String> actors = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean blocking;
    volatile boolean failing;
    volatile boolean interrupted;
    volatile ScanSummary last = new ScanSummary(null, null, null, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null);

    FakeInventory() {
      super(null, null, null, null, null, null, null);
    }

    final AtomicInteger refreshes = new AtomicInteger();

    /** What every scan InventoryScans makes is: the schedule's kind (here always incremental). */
    @Override
    public ScanSummary refresh(String actor, Runnable stillScanning) {
      refreshes.incrementAndGet();
      return scan(actor, stillScanning);
    }

    @Override
    public ScanSummary scan(String actor, Runnable stillScanning) {
      Instant at = clock.instant();
      started.add(at);
      actors.add(actor);
      if (failing) {
        throw new IllegalStateException("AWS unavailable");
      }
      if (blocking) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
          Thread.currentThread().interrupt();
          throw new IllegalStateException("The scan was interrupted", e);
        }
      }
      last = InventoryScansTest.summary(at);
      return last;
    }

    @Override
    public ScanSummary summary() {
      return last;
    }
  }
}
