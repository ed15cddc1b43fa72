package io.airlock.notify;

import io.airlock.audit.AuditLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How a chat's review message reaches its chat (Slack, Teams): each call is tried
 * {@code airlock.notify.attempts} times with doubling backoff from {@code airlock.notify.backoff},
 * then reported as the other notifications are (one WARN line, the {@code airlock.notifications}
 * metric, a {@code notification.failed} audit entry in its own transaction). One copy for every
 * chat, so they count, retry and report alike.
 */
@Component
public class ChatDelivery {

  private static final Logger log = LoggerFactory.getLogger(ChatDelivery.class);

  private final AuditLog audit;
  private final MeterRegistry meters;
  private final TransactionTemplate ownTransaction;
  private final int attempts;
  private final Duration backoff;

  ChatDelivery(AuditLog audit, MeterRegistry meters, PlatformTransactionManager transactions,
      NotifyProperties notify) {
    this.audit = audit;
    this.meters = meters;
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    this.attempts = notify.attempts();
    this.backoff = notify.backoff();
  }

  /**
   * Sends with retries, on the caller's thread.
   *
   * @param channel the metric's and audit's channel ("slack", "teams")
   * @param what    how the log names it ("Slack message", "Teams card")
   */
  public void deliver(String channel, String what, String requestId, String kind, Runnable send) {
    long wait = backoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        send.run();
        meters.counter("airlock.notifications", "channel", channel, "kind", kind, "outcome", "sent").increment();
        return;
      } catch (RuntimeException e) {
        if (attempt >= attempts) {
          meters.counter("airlock.notifications", "channel", channel, "kind", kind, "outcome", "failed").increment();
          log.warn("Could not send the {} {} of request {} after {} attempts: {}", what, kind, requestId, attempts,
              e.getMessage());
          try {
            ownTransaction.executeWithoutResult(s -> audit.record("airlock", "notification.failed", requestId,
                Map.of("channel", channel, "kind", kind, "error", String.valueOf(e.getMessage()))));
          } catch (RuntimeException auditFailed) {
            log.warn("Could not audit the failed {} of request {}: {}", what, requestId, auditFailed.toString());
          }
          return;
        }
        try {
          Thread.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
        wait *= 2;
      }
    }
  }

  /** A chat API call whose checked failures become unchecked ones, for {@link #deliver}'s retries. */
  public static <T> T call(Callable<T> call) {
    try {
      return call.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
