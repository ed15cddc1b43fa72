package io.airlock.teams;

import io.airlock.notify.ChatDelivery;
import io.airlock.request.AccessRequest;
import io.airlock.request.RequestEvent;
import io.airlock.request.RequestStatus;
import java.time.Clock;
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
import org.springframework.transaction.event.TransactionalEventListener;

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
  private final ChatDelivery delivery;
  private final Clock clock;
  private final ExecutorService executor = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(10_000), new org.springframework.scheduling.concurrent.CustomizableThreadFactory("teams-"),
      (task, pool) -> log.warn("Teams card dropped: more than 10000 are waiting to be sent"));

  TeamsReviewPoster(TeamsConnection teams, TeamsMessageMapper messages, TeamsReviewCard words, ChatDelivery delivery,
      Clock clock) {
    this.teams = teams;
    this.messages = messages;
    this.words = words;
    this.delivery = delivery;
    this.clock = clock;
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

  private void deliver(AccessRequest r, String kind, Runnable send) {
    delivery.deliver("teams", "Teams card", r.getId(), kind, send);
  }

  private static <T> T call(java.util.concurrent.Callable<T> call) {
    return ChatDelivery.call(call);
  }

  @Override
  public void destroy() throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
      executor.shutdownNow();
    }
  }
}
