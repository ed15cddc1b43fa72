package io.airlock.teams;

import io.airlock.audit.AuditLog;
import io.airlock.request.AccessRequest;
import io.airlock.request.RequestEvent;
import io.airlock.request.RequestStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Posts the review card to Teams when a request starts waiting for review, and updates it for
 * everyone whenever the request moves on: decided in Teams or anywhere else, withdrawn, expired,
 * granted, ended. After the change commits, on a thread of its own (in order), so Teams being slow
 * or away never holds up a review, a grant or a revoke; each call is tried
 * {@code airlock.notify.attempts} times with doubling backoff, then reported as the other
 * notifications are (WARN, metric, {@code notification.failed} audit entry).
 */
@Component
class TeamsReviewPoster implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(TeamsReviewPoster.class);

  private final TeamsConnection teams;
  private final TeamsMessageMapper messages;
  private final TeamsReviewCard words;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Clock clock;
  private final TransactionTemplate ownTransaction;
  private final int attempts;
  private final Duration backoff;
  private final ExecutorService executor = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(10_000), new org.springframework.scheduling.concurrent.CustomizableThreadFactory("teams-"),
      (task, pool) -> log.warn("Teams card dropped: more than 10000 are waiting to be sent"));

  TeamsReviewPoster(TeamsConnection teams, TeamsMessageMapper messages, TeamsReviewCard words, AuditLog audit,
      MeterRegistry meters, Clock clock, PlatformTransactionManager transactions,
      io.airlock.notify.NotifyProperties notify) {
    this.teams = teams;
    this.messages = messages;
    this.words = words;
    this.audit = audit;
    this.meters = meters;
    this.clock = clock;
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    this.attempts = notify.attempts();
    this.backoff = notify.backoff();
  }

  @TransactionalEventListener(fallbackExecution = true)
  void on(RequestEvent event) {
    if (!teams.enabled() || event.kind() != RequestEvent.Kind.STATUS_CHANGED) {
      return;
    }
    AccessRequest r = event.request();
    if (r.getStatus() == RequestStatus.PENDING_REVIEW && event.from() != RequestStatus.PENDING_REVIEW) {
      executor.execute(() -> deliver(r, "review.waiting", () -> post(r)));
    } else if (event.from() != null && r.getStatus() != event.from()) {
      executor.execute(() -> deliver(r, "review.updated", () -> update(r)));
    }
  }

  /** After an approval of several in Teams: the card says who approved, and keeps its buttons. */
  void approvedOneOfSeveral(AccessRequest r, String approver) {
    executor.execute(() -> deliver(r, "review.updated", () -> messages.find(r.getId()).ifPresent(m -> call(() -> {
      teams.api().update(m.serviceUrl(), m.conversationId(), m.activityId(), words.text(r, "Review waiting"),
          words.waiting(r, approver + " approved in Teams; it needs " + r.quorum()
              + " approvals from different approvers"));
      return null;
    }))));
  }

  private void post(AccessRequest r) {
    if (messages.find(r.getId()).isPresent()) {
      return; // posted already (a review that comes round again)
    }
    String serviceUrl = teams.settings().serviceUrl();
    String conversation = teams.settings().conversationId();
    String activity = call(() -> teams.api().post(serviceUrl, conversation, words.text(r, "Review waiting"),
        words.waiting(r, null)));
    messages.insert(new TeamsMessageMapper.TeamsMessageRow(r.getId(), serviceUrl, conversation, activity,
        clock.instant(), null));
  }

  private void update(AccessRequest r) {
    Optional<TeamsMessageMapper.TeamsMessageRow> message = messages.find(r.getId());
    if (message.isEmpty()) {
      return; // never reviewed in Teams (approved by policy, or posted before Teams was on)
    }
    TeamsMessageMapper.TeamsMessageRow m = message.get();
    boolean inTeams = m.decidedBy() != null && m.decidedBy().equals(r.getReviewer());
    call(() -> {
      teams.api().update(m.serviceUrl(), m.conversationId(), m.activityId(), words.text(r, words.outcomeTitle(r)),
          words.decided(r, inTeams));
      return null;
    });
  }

  private interface TeamsCall<T> {
    T run() throws Exception;
  }

  private static <T> T call(TeamsCall<T> call) {
    try {
      return call.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private void deliver(AccessRequest r, String kind, Runnable send) {
    long wait = backoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        send.run();
        meters.counter("airlock.notifications", "channel", "teams", "kind", kind, "outcome", "sent").increment();
        return;
      } catch (RuntimeException e) {
        if (attempt >= attempts) {
          meters.counter("airlock.notifications", "channel", "teams", "kind", kind, "outcome", "failed").increment();
          log.warn("Could not send the Teams {} card of request {} after {} attempts: {}", kind, r.getId(), attempts,
              e.getMessage());
          try {
            ownTransaction.executeWithoutResult(s -> audit.record("airlock", "notification.failed", r.getId(),
                Map.of("channel", "teams", "kind", kind, "error", String.valueOf(e.getMessage()))));
          } catch (RuntimeException auditFailed) {
            log.warn("Could not audit the failed Teams card of request {}: {}", r.getId(), auditFailed.toString());
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

  @Override
  public void destroy() throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
      executor.shutdownNow();
    }
  }
}
