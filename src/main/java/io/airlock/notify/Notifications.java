package io.airlock.notify;

import io.airlock.audit.AuditChainBroken;
import io.airlock.proposal.ProposalEvent;
import io.airlock.audit.AuditLog;
import io.airlock.request.RequestEvent;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Tells people about request events, after the change commits, on threads of its own: a slow
 * or broken mail server or webhook never holds up nor fails a grant, a revoke or a review. Each
 * channel's delivery is retried with exponential backoff (Resilience4j); when it still fails
 * it is reported: a WARN log, the metric {@code airlock.notifications{channel,kind,outcome}} and
 * a {@code notification.failed} audit entry.
 */
@Component
class Notifications implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(Notifications.class);

  private final Notices notices;
  private final List<Channel> channels;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final TransactionTemplate ownTransaction;
  private final Retry retry;
  private final ExecutorService executor = new ThreadPoolExecutor(1, 2, 60, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(10_000), new CustomizableThreadFactory("notify-"),
      (task, pool) -> log.warn("Notification dropped: more than 10000 are waiting to be sent"));

  Notifications(Notices notices, List<Channel> channels, AuditLog audit, MeterRegistry meters,
      PlatformTransactionManager transactions, NotifyProperties properties) {
    this.notices = notices;
    this.channels = channels;
    this.audit = audit;
    this.meters = meters;
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    this.retry = Retry.of("notifications", RetryConfig.custom()
        .maxAttempts(properties.attempts())
        .intervalFunction(IntervalFunction.ofExponentialBackoff(properties.backoff(), 2.0))
        .retryExceptions(Exception.class)
        .build());
  }

  /** After the change commits (or at once, for a change made outside a transaction). */
  @TransactionalEventListener(fallbackExecution = true)
  void on(RequestEvent event) {
    if (channels.stream().noneMatch(Channel::enabled)) {
      return;
    }
    send(notices.of(event));
  }

  /** A policy proposal waits for review, or was decided or put in force: after that commits. */
  @TransactionalEventListener(fallbackExecution = true)
  void on(ProposalEvent event) {
    send(List.of(notices.of(event)));
  }

  /** A change to Airlock's groups, after it commits: the reviewers when it waits, the asker and the user after. */
  @TransactionalEventListener(fallbackExecution = true)
  void on(io.airlock.membership.MembershipChangeEvent event) {
    send(notices.of(event));
  }

  /** The organization was read for the first time: after that commits, the policy authors hear of the starter policy. */
  @TransactionalEventListener(fallbackExecution = true)
  void on(io.airlock.inventory.FirstScan scan) {
    send(List.of(notices.of(scan)));
  }

  /**
   * When the audit watch finds the log broken: at once (the finding is not part of a change that
   * might roll back), on the same threads.
   */
  @EventListener
  void on(AuditChainBroken broken) {
    send(List.of(notices.of(broken)));
  }

  private void send(List<Notice> list) {
    if (channels.stream().noneMatch(Channel::enabled)) {
      return;
    }
    for (Notice notice : list) {
      for (Channel channel : channels) {
        if (channel.enabled()) {
          executor.execute(() -> deliver(channel, notice));
        }
      }
    }
  }

  private void deliver(Channel channel, Notice notice) {
    try {
      Retry.decorateCheckedRunnable(retry, () -> channel.send(notice)).run();
      meters.counter("airlock.notifications", "channel", channel.name(), "kind", notice.kind(), "outcome", "sent")
          .increment();
    } catch (Throwable e) {
      meters.counter("airlock.notifications", "channel", channel.name(), "kind", notice.kind(), "outcome", "failed")
          .increment();
      log.warn("Could not send the {} notification '{}' of request {} by {} after {} attempts: {}", notice.kind(),
          notice.subject(), notice.requestId(), channel.name(), retry.getRetryConfig().getMaxAttempts(), e.toString());
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("channel", channel.name());
      details.put("kind", notice.kind());
      details.put("error", String.valueOf(e.getMessage()));
      try {
        ownTransaction.executeWithoutResult(s -> audit.record("airlock", "notification.failed", notice.requestId(),
            details));
      } catch (RuntimeException auditFailed) {
        log.warn("Could not audit the failed notification of request {}: {}", notice.requestId(), auditFailed.toString());
      }
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
