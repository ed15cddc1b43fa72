package io.airlock.slack;

import io.airlock.logging.LogSafe;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Where Slack's callbacks are worked on once Slack has had its answer (Slack waits three seconds, the
 * engine may take longer): a small fixed pool ({@code airlock.notify.slack.workers}) with a bounded
 * queue ({@code queue}); when both are full the work is not taken and the caller says that Airlock is
 * busy. Each piece of work runs with no sign-in of its own on the thread (who acts is the
 * {@link io.airlock.request.Caller} it was given, read from the mapping), and whatever it throws that
 * it did not handle is logged once and handed to its {@code failed} words, never to Slack as it is.
 */
@Component
class SlackWork implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(SlackWork.class);

  private final ThreadPoolExecutor executor;

  SlackWork(io.airlock.notify.NotifyProperties notify) {
    int workers = notify.slack().workers();
    int queue = notify.slack().queue();
    this.executor = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS,
        queue == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
        new CustomizableThreadFactory("slack-callback-"), new ThreadPoolExecutor.AbortPolicy());
  }

  /**
   * Takes {@code work} for a worker, or returns empty when the pool and its queue are full (nothing
   * was started). {@code failed} gets what {@code work} threw, after it was logged.
   */
  <T> java.util.Optional<Future<T>> offer(String what, java.util.concurrent.Callable<T> work, Consumer<Exception> failed) {
    FutureTask<T> task = new FutureTask<>(() -> {
      SecurityContextHolder.clearContext(); // a worker never carries anybody's sign-in
      try {
        return work.call();
      } catch (Exception e) {
        log.warn("Could not handle a Slack {}: {}", what, LogSafe.of(e));
        try {
          failed.accept(e);
        } catch (RuntimeException alsoFailed) {
          log.warn("Could not tell Slack that a {} failed: {}", what, LogSafe.of(alsoFailed));
        }
        return null;
      } finally {
        SecurityContextHolder.clearContext();
      }
    });
    try {
      executor.execute(task);
      return java.util.Optional.of(task);
    } catch (RejectedExecutionException busy) {
      return java.util.Optional.empty();
    }
  }

  @Override
  public void destroy() throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
      executor.shutdownNow();
    }
  }
}
