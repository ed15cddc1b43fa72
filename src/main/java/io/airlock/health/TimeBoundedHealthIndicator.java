package io.airlock.health;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * A health check that answers in time whatever it checks. The check runs on a daemon thread of
 * the health checks' own pool; the caller waits at most the deadline ({@link #DEADLINE}) and past
 * it answers DOWN, "no answer from the database within 1.5 s". At most one check runs at a time:
 * a caller that comes while one is still running waits for that one (again at most the deadline)
 * instead of starting another, so a database or AWS that stalls never piles up threads or
 * connections behind the probes. The first caller after the check has returned starts a new
 * one, so the answer recovers by itself when what it checks does.
 */
public final class TimeBoundedHealthIndicator implements HealthIndicator {

  /** Under the 2 s within which readiness must answer, with room for the HTTP around it. */
  public static final Duration DEADLINE = Duration.ofMillis(1500);

  private static final AtomicInteger THREADS = new AtomicInteger();
  /** Grows only by the checks that are stuck, one per indicator at most; idle threads end after a minute. */
  private static final ExecutorService CHECKS = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "airlock-health-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private final String what;
  private final HealthIndicator check;
  private final Duration deadline;
  private final AtomicReference<CompletableFuture<Health>> running = new AtomicReference<>();

  /**
   * @param what what answers, for people: "the database", "AWS (sso-admin:ListInstances)"
   * @param check the check, which may block
   */
  public TimeBoundedHealthIndicator(String what, HealthIndicator check) {
    this(what, check, DEADLINE);
  }

  TimeBoundedHealthIndicator(String what, HealthIndicator check, Duration deadline) {
    this.what = what;
    this.check = check;
    this.deadline = deadline;
  }

  @Override
  public Health health() {
    CompletableFuture<Health> answer = runningOrNew();
    try {
      return answer.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return Health.down().withDetail("error", "no answer from " + what + " within " + seconds(deadline)).build();
    } catch (ExecutionException e) {
      return Health.down(e.getCause()).build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.down().withDetail("error", "interrupted while waiting for " + what).build();
    }
  }

  /** The check still running, or a new one when none is. */
  private CompletableFuture<Health> runningOrNew() {
    while (true) {
      CompletableFuture<Health> last = running.get();
      if (last != null && !last.isDone()) {
        return last;
      }
      CompletableFuture<Health> next = new CompletableFuture<>();
      if (running.compareAndSet(last, next)) {
        try {
          CHECKS.execute(() -> {
            try {
              next.complete(check.health());
            } catch (RuntimeException | Error e) {
              next.completeExceptionally(e);
            }
          });
        } catch (RejectedExecutionException e) {
          next.completeExceptionally(e);
        }
        return next;
      }
    }
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%s s", java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString());
  }
}
