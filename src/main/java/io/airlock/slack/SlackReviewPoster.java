package io.airlock.slack;

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
 * Posts the review message to Slack when a request starts waiting for review, and updates it for
 * everyone whenever the request moves on: decided in Slack or anywhere else, withdrawn, expired,
 * granted, ended. After the change commits, on a thread of its own (in order), so Slack being slow
 * or away never holds up a review, a grant or a revoke; each call is tried
 * {@code airlock.notify.attempts} times with doubling backoff, then reported as the other
 * notifications are (WARN, metric, {@code notification.failed} audit entry).
 */
@Component
class SlackReviewPoster implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(SlackReviewPoster.class);

  private final SlackConnection slack;
  private final SlackMessageMapper messages;
  private final SlackReviewMessage words;
  private final ChatDelivery delivery;
  private final Clock clock;
  private final ExecutorService executor = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(10_000), new org.springframework.scheduling.concurrent.CustomizableThreadFactory("slack-"),
      (task, pool) -> log.warn("Slack message dropped: more than 10000 are waiting to be sent"));

  SlackReviewPoster(SlackConnection slack, SlackMessageMapper messages, SlackReviewMessage words, ChatDelivery delivery,
      Clock clock) {
    this.slack = slack;
    this.messages = messages;
    this.words = words;
    this.delivery = delivery;
    this.clock = clock;
  }

  @TransactionalEventListener(fallbackExecution = true)
  void on(RequestEvent event) {
    if (!slack.enabled() || event.kind() != RequestEvent.Kind.STATUS_CHANGED) {
      return;
    }
    AccessRequest r = event.request();
    if (r.getStatus() == RequestStatus.PENDING_REVIEW && event.from() != RequestStatus.PENDING_REVIEW) {
      executor.execute(() -> deliver(r, "review.waiting", () -> post(r)));
    } else if (event.from() != null && r.getStatus() != event.from()) {
      executor.execute(() -> deliver(r, "review.updated", () -> update(r)));
    }
  }

  /** After an approval of several in Slack: the message says who approved, and keeps its buttons. */
  void approvedOneOfSeveral(AccessRequest r, String approver) {
    executor.execute(() -> deliver(r, "review.updated", () -> messages.find(r.getId()).ifPresent(m -> call(() -> {
      slack.api().update(new SlackApi.Posted(m.channel(), m.ts()), words.text(r, "Review waiting"),
          words.waiting(r, approver + " approved in Slack; it needs " + r.quorum()
              + " approvals from different approvers"));
      return null;
    }))));
  }

  private void post(AccessRequest r) {
    if (messages.find(r.getId()).isPresent()) {
      return; // posted already (a review that comes round again)
    }
    SlackApi.Posted posted = call(() -> slack.api().postMessage(slack.settings().channel(),
        words.text(r, "Review waiting"), words.waiting(r, null)));
    messages.insert(new SlackMessageMapper.SlackMessageRow(r.getId(), posted.channel(), posted.ts(), clock.instant(),
        null));
  }

  private void update(AccessRequest r) {
    Optional<SlackMessageMapper.SlackMessageRow> message = messages.find(r.getId());
    if (message.isEmpty()) {
      return; // never reviewed in Slack (approved by policy, or posted before Slack was on)
    }
    SlackMessageMapper.SlackMessageRow m = message.get();
    boolean inSlack = m.decidedBy() != null && m.decidedBy().equals(r.getReviewer());
    call(() -> {
      slack.api().update(new SlackApi.Posted(m.channel(), m.ts()), words.text(r, words.outcomeTitle(r)),
          words.decided(r, inSlack));
      return null;
    });
  }

  private void deliver(AccessRequest r, String kind, Runnable send) {
    delivery.deliver("slack", "Slack message", r.getId(), kind, send);
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
