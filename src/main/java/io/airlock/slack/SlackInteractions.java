package io.airlock.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.audit.AuditLog;
import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestNotFoundException;
import io.airlock.request.RequestService;
import io.airlock.request.RequestStatus;
import io.airlock.request.ReviewDecision;
import io.airlock.request.Reviews;
import io.airlock.request.StepUpRequiredException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import io.airlock.logging.LogSafe;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Slack's interactivity callbacks: Approve, Deny (which opens a modal asking why) and the
 * modal's submission. Reachable without signing in to Airlock, so nothing is believed before
 * Slack's signature is verified ({@link SlackSignature}: signing secret, five-minute window);
 * anything else is a 401 without a body and one WARN line. The Slack user is mapped to an Airlock
 * user ({@link SlackPeople}), and the decision goes through the same use case as the API and
 * Tasklist ({@link RequestService#review}): four eyes, eligibility, quorum and step-up alike. A
 * refusal is answered in words to the person who clicked, and audited; nothing changes.
 *
 * <p>Before the signature, a body over {@link #MAX_BODY} or slower than {@link #READ_WITHIN} is
 * refused; after it, the same signed bytes twice are a replay ({@link SlackCallbackMapper}). Slack
 * waits three seconds for an answer, so the work follows on {@link SlackWork}'s pool and its
 * outcome goes through the action's {@code response_url}; a full pool is told as "busy".
 */
@RestController
class SlackInteractions {

  static final String PATH = "/integrations/slack/interactions";
  private static final int MAX_BODY = 256 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(SlackInteractions.class);
  private static final Logger refusedLog = LoggerFactory.getLogger("io.airlock.refused");
  private static final Pattern SLACK_ID = Pattern.compile("[A-Z0-9]{2,32}");
  private static final Duration READ_WITHIN = Duration.ofSeconds(5);
  private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final SlackConnection slack;
  private final SlackPeople people;
  private final SlackMessageMapper messages;
  private final SlackReviewMessage words;
  private final SlackReviewPoster poster;
  private final SlackRequests asking;
  private final RequestService requests;
  private final Reviews reviews;
  private final AuditLog audit;
  private final Clock clock;
  private final TransactionTemplate transaction;
  private final SlackWork work;
  private final SlackCallbackMapper callbacks;
  private final String tasklist;
  private final String newRequest;

  SlackInteractions(SlackConnection slack, SlackPeople people, SlackMessageMapper messages, SlackReviewMessage words,
      SlackReviewPoster poster, SlackRequests asking, RequestService requests, Reviews reviews, AuditLog audit, Clock clock,
      PlatformTransactionManager transactions, io.airlock.notify.NotifyProperties notify, SlackWork work,
      SlackCallbackMapper callbacks) {
    this.work = work;
    this.callbacks = callbacks;
    this.slack = slack;
    this.people = people;
    this.messages = messages;
    this.words = words;
    this.poster = poster;
    this.asking = asking;
    this.requests = requests;
    this.reviews = reviews;
    this.audit = audit;
    this.clock = clock;
    this.transaction = new TransactionTemplate(transactions);
    this.tasklist = notify.baseUrl() + "/camunda/app/tasklist/";
    this.newRequest = notify.baseUrl() + "/requests/new";
  }

  @PostMapping(PATH)
  ResponseEntity<Object> interact(HttpServletRequest request) throws IOException {
    if (!slack.enabled()) {
      return ResponseEntity.notFound().build();
    }
    String from = request.getRemoteAddr();
    if (request.getContentLengthLong() > MAX_BODY) {
      // Refused before a byte of it is read: nobody makes Airlock read (or hash) gigabytes.
      refusedLog.warn("Refused a Slack callback from {}: it announces {} bytes (at most {})", from,
          request.getContentLengthLong(), MAX_BODY);
      return ResponseEntity.status(413).build(); // Tomcat drops the connection past server.tomcat.max-swallow-size
    }
    Body read = read(request);
    if (read.refusal() != null) {
      refusedLog.warn("Refused a Slack callback from {}: {}", from, read.refusal());
      return read.status() == 408 ? ResponseEntity.status(408).header("Connection", "close").build()
          : ResponseEntity.status(read.status()).build();
    }
    byte[] body = read.bytes();
    String timestamp = request.getHeader("X-Slack-Request-Timestamp");
    Optional<String> problem = slack.signature().problem(timestamp, request.getHeader("X-Slack-Signature"), body,
        clock.instant());
    if (problem.isPresent()) {
      refusedLog.warn("Refused a Slack callback from {}: {}", from, problem.get());
      return ResponseEntity.status(401).build();
    }
    if (!firstTime(timestamp.strip(), body)) {
      refusedLog.warn("Refused a Slack callback from {}: the same signed callback was taken already (a replay)", from);
      return ResponseEntity.status(401).build();
    }
    Map<String, String> fields;
    JsonNode payload;
    try {
      fields = form(new String(body, StandardCharsets.UTF_8));
      if (fields.containsKey("command")) {
        return command(fields);
      }
      payload = JSON.readTree(fields.getOrDefault("payload", ""));
    } catch (IOException | IllegalArgumentException e) {
      refusedLog.warn("Refused a signed Slack callback from {}: its body is not a form with a JSON payload", from);
      return ResponseEntity.badRequest().build();
    }
    if (payload == null || !payload.isObject()) {
      refusedLog.warn("Refused a signed Slack callback from {}: its payload is not a JSON object", from);
      return ResponseEntity.badRequest().build();
    }
    String slackUser = slackId(payload.path("user").path("id"));
    String team = text(payload.path("team").path("id"));
    team = team != null ? team : text(payload.path("user").path("team_id"));
    String onlyTeam = slack.settings().teamId();
    if (onlyTeam != null && !onlyTeam.isBlank() && !onlyTeam.equals(team)) {
      // Signed by this app, but from another workspace it is installed in: its people are not ours.
      refusedLog.warn("Refused a Slack callback from workspace {}: only {} is Airlock's (airlock.notify.slack.team-id)",
          LogSafe.of(clip(team)), onlyTeam);
      audit.refused("slack:" + slackUser, "refused.slack", requestId(payload.path("actions").path(0).path("value")),
          Map.of("reason", "another Slack workspace", "team", String.valueOf(clip(team)),
              "slackUser", String.valueOf(slackUser)));
      return ResponseEntity.ok().build();
    }
    switch (String.valueOf(text(payload.path("type")))) {
      case "block_actions" -> {
        JsonNode action = payload.path("actions").path(0);
        String requestId = requestId(action.path("value"));
        String responseUrl = text(payload.path("response_url"));
        JsonNode container = payload.path("container");
        Message on = "message".equals(text(container.path("type")))
            ? new Message(text(container.path("channel_id")), text(container.path("message_ts"))) : null;
        String actionId = String.valueOf(text(action.path("action_id")));
        String triggerId = text(payload.path("trigger_id"));
        if (SlackReviewMessage.APPROVE.equals(actionId)) {
          later("approval", responseUrl, () -> approve(slackUser, requestId, on, responseUrl));
        } else if (SlackReviewMessage.DENY.equals(actionId)) {
          later("denial", responseUrl, () -> askWhy(slackUser, requestId, on, responseUrl, triggerId));
        } // else the link to Tasklist: nothing to do
        return ResponseEntity.ok().build();
      }
      case "view_submission" -> {
        JsonNode view = payload.path("view");
        String callback = String.valueOf(text(view.path("callback_id")));
        if (SlackRequests.REQUEST_MODAL.equals(callback)) {
          return askInTime(slackUser, view);
        }
        if (SlackReviewMessage.DENY_MODAL.equals(callback)) {
          return denyLater(slackUser, view);
        }
        return ResponseEntity.ok().build();
      }
      default -> {
        return ResponseEntity.ok().build();
      }
    }
  }

  /** Where a button was clicked: the message's channel and timestamp. */
  private record Message(String channel, String ts) {}

  /** The body as read, or why not (with the status to answer). */
  private record Body(byte[] bytes, int status, String refusal) {}

  /**
   * At most {@link #MAX_BODY} bytes (a body sent in chunks announces no length), within
   * {@link #READ_WITHIN}: a sender dribbling its body a byte at a time holds a thread no longer.
   */
  private static Body read(HttpServletRequest request) throws IOException {
    long until = System.nanoTime() + READ_WITHIN.toNanos();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (InputStream in = request.getInputStream()) {
      for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        if (out.size() > MAX_BODY) {
          return new Body(null, 413, "the body is larger than " + MAX_BODY + " bytes");
        }
        if (System.nanoTime() - until > 0) {
          return new Body(null, 408, "the body took longer than " + READ_WITHIN.toSeconds() + " s to arrive");
        }
      }
    }
    return new Body(out.toByteArray(), 200, null);
  }

  /**
   * True the first time these signed bytes arrive; false for the same timestamp and body again (a
   * replay inside the signature's window), on any node: remembered in the database for longer than
   * the window.
   */
  private boolean firstTime(String timestamp, byte[] body) {
    String digest;
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update((timestamp + ":").getBytes(StandardCharsets.UTF_8));
      digest = java.util.HexFormat.of().formatHex(sha.digest(body));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    java.time.Instant now = clock.instant();
    callbacks.forgetBefore(now.minus(SlackSignature.WINDOW.multipliedBy(2)).minusSeconds(60));
    try {
      callbacks.remember(digest, now);
      return true;
    } catch (org.springframework.dao.DataIntegrityViolationException seen) {
      return false;
    }
  }

  private interface Work {
    void run() throws IOException, InterruptedException;
  }

  /**
   * Slack has its answer at once; the work follows on {@link SlackWork}'s pool, and its outcome is
   * told through {@code responseUrl}. When the pool is full, nothing is done and the person reads so.
   */
  private void later(String what, String responseUrl, Work work) {
    Optional<?> taken = this.work.offer(what, () -> {
      work.run();
      return null;
    }, e -> tell(responseUrl, failure(e)));
    if (taken.isEmpty()) {
      log.warn("Too many Slack callbacks at once: a {} was not taken", what);
      tellSoon(responseUrl, busy());
    }
  }

  /** Failures in words: never an exception's class or the engine's message. */
  private String failure(Exception e) {
    if (e instanceof IOException) {
      return "Airlock could not reach Slack just now, so nothing was done. Try again in a minute, or review in "
          + "Tasklist (" + tasklist + ").";
    }
    return "Airlock could not do this just now, so nothing was done. Try again in a minute, or review in Tasklist ("
        + tasklist + ").";
  }

  private String busy() {
    return "Airlock is busy just now, so nothing was done. Try again in a minute, or review in Tasklist (" + tasklist
        + ").";
  }

  /** The deny dialog closes at once; the decision follows, and a refusal is told to the person who denied. */
  private ResponseEntity<Object> denyLater(String slackUser, JsonNode view) {
    JsonNode metadata;
    try {
      metadata = JSON.readTree(view.path("private_metadata").asText("{}"));
    } catch (IOException e) {
      return ResponseEntity.badRequest().build();
    }
    String requestId = requestId(metadata.path("request"));
    String responseUrl = text(metadata.path("responseUrl"));
    String reason = view.path("state").path("values").path(SlackReviewMessage.REASON).path(SlackReviewMessage.REASON)
        .path("value").asText("");
    Optional<?> taken = work.offer("denial", () -> {
      deny(slackUser, requestId, reason).ifPresent(refusal -> tell(responseUrl, refusal));
      return null;
    }, e -> tell(responseUrl, failure(e)));
    if (taken.isEmpty()) {
      log.warn("Too many Slack callbacks at once: a denial was not taken");
      return errors(Map.of(SlackReviewMessage.REASON, busy()));
    }
    return ResponseEntity.ok().build();
  }

  /** How long the request dialog's submission waits for its answer before it says that it follows. */
  private static final Duration IN_TIME = Duration.ofMillis(2500);

  /**
   * The request dialog's submission: filed on the pool; answered in the dialog itself when that takes
   * under {@link #IN_TIME} (a refusal at its field), else the dialog says it is being filed and shows
   * the outcome when it is known ({@code views.update}).
   */
  private ResponseEntity<Object> askInTime(String slackUser, JsonNode view) {
    String viewId = text(view.path("id"));
    java.util.concurrent.CompletableFuture<ResponseEntity<Object>> answer = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.atomic.AtomicInteger handed = new java.util.concurrent.atomic.AtomicInteger(); // 1 in time, 2 late
    Optional<?> taken = work.offer("request", () -> {
      ResponseEntity<Object> result;
      try {
        result = ask(slackUser, view);
      } catch (IOException e) {
        log.warn("Could not file a request from Slack for {}: {}", slackUser, LogSafe.of(e.getMessage()));
        result = errors(Map.of(SlackRequests.WHAT, "Airlock could not reach Slack just now, so nothing was filed. Try "
            + "again in a minute, or ask in Airlock's portal (" + newRequest + ")."));
      } catch (RuntimeException e) {
        // Logged once here; the dialog still gets an answer, in words, in time or late.
        log.warn("Could not file a request from Slack for {}: {}", slackUser, LogSafe.of(e));
        result = errors(Map.of(SlackRequests.WHAT, "Airlock could not file this just now, so nothing was filed. Try "
            + "again in a minute, or ask in Airlock's portal (" + newRequest + ")."));
      }
      answer.complete(result);
      if (!handed.compareAndSet(0, 1) && viewId != null) {
        slack.api().updateView(viewId, lateView(result));
      }
      return null;
    }, e -> { });
    if (taken.isEmpty()) {
      log.warn("Too many Slack callbacks at once: a request was not taken");
      return errors(Map.of(SlackRequests.WHAT, "Airlock is busy just now, so nothing was filed. Try again in a minute, "
          + "or ask in Airlock's portal (" + newRequest + ")."));
    }
    try {
      return answer.get(IN_TIME.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      if (handed.compareAndSet(0, 2)) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Map.of("response_action", "update",
            "view", modal("Airlock is filing your request. This dialog shows what became of it in a moment; you "
                + "also hear of the decision.")));
      }
      return answer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ResponseEntity.status(503).build();
    } catch (java.util.concurrent.ExecutionException e) {
      return errors(Map.of(SlackRequests.WHAT, "Airlock could not file this just now, so nothing was filed. Try again "
          + "in a minute, or ask in Airlock's portal."));
    }
  }

  /** What the submission would have answered, as the dialog's content. */
  @SuppressWarnings("unchecked")
  private static Object lateView(ResponseEntity<Object> result) {
    if (result.getBody() instanceof Map<?, ?> body && body.get("view") != null) {
      return body.get("view");
    }
    if (result.getBody() instanceof Map<?, ?> body && body.get("errors") instanceof Map<?, ?> errors) {
      return modal(String.join("\n", ((Map<String, String>) errors).values()));
    }
    return modal("Airlock could not file this just now, so nothing was filed. Try again in a minute.");
  }

  private static Map<String, Object> modal(String text) {
    return Map.of("type", "modal", "title", Map.of("type", "plain_text", "text", "Ask for access"),
        "close", Map.of("type", "plain_text", "text", "Done"),
        "blocks", java.util.List.of(Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text",
            SlackReviewMessage.escape(text)))));
  }

  /**
   * The slash command: the dialog asking for access with the person's catalog, opened from the pool.
   * Refusals are told to the person only.
   */
  private ResponseEntity<Object> command(Map<String, String> fields) {
    String slackUser = slackId(fields.get("user_id"));
    String responseUrl = fields.get("response_url");
    String onlyTeam = slack.settings().teamId();
    if (onlyTeam != null && !onlyTeam.isBlank() && !onlyTeam.equals(fields.get("team_id"))) {
      refusedLog.warn("Refused a Slack command from workspace {}: only {} is Airlock's (airlock.notify.slack.team-id)",
          LogSafe.of(clip(fields.get("team_id"))), onlyTeam);
      return onlyYou("This Slack workspace is not Airlock's, so nothing was done.");
    }
    String triggerId = fields.get("trigger_id");
    Optional<?> taken = work.offer("command", () -> {
      Optional<Caller> who = people.airlockUser(slackUser);
      if (who.isEmpty()) {
        refusedUnknown(slackUser, null);
        tell(responseUrl, unknownPerson("ask in Airlock's portal (" + newRequest + ")"));
        return null;
      }
      Map<String, Object> modal = asking.requestModal(who.get());
      if (modal == null) {
        tell(responseUrl, asking.nothingToOffer(who.get()));
        return null;
      }
      slack.api().openView(triggerId, modal);
      return null;
    }, e -> tell(responseUrl, e instanceof IOException
        ? "Airlock could not reach Slack just now, so nothing was done. Try again in a minute."
        : "Airlock could not do this just now, so nothing was done. Try again in a minute."));
    if (taken.isEmpty()) {
      log.warn("Too many Slack callbacks at once: a command was not taken");
      return onlyYou("Airlock is busy just now, so nothing was done. Try again in a minute.");
    }
    return ResponseEntity.ok().build();
  }

  private static ResponseEntity<Object> onlyYou(String text) {
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
        .body(Map.of("response_type", "ephemeral", "text", SlackReviewMessage.escape(text)));
  }

  /** The request dialog's submission: filed as the person, or the refusal at the field it concerns. */
  private ResponseEntity<Object> ask(String slackUser, JsonNode view) throws IOException, InterruptedException {
    Optional<Caller> who = people.airlockUser(slackUser);
    if (who.isEmpty()) {
      refusedUnknown(slackUser, null);
      return errors(Map.of(SlackRequests.WHAT, unknownPerson("ask in Airlock's portal (" + newRequest + ")")));
    }
    try {
      AccessRequest filed = asking.file(SlackRequests.submitted(view), who.get());
      return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
          .body(Map.of("response_action", "update", "view", asking.filed(filed)));
    } catch (RuntimeException thrown) {
      // Refusals from inside the process's start arrive as the engine's exceptions, the domain's as their cause.
      Throwable e = domainCause(thrown);
      if (e instanceof InvalidRequestException invalid) {
        Map<String, String> errors = new LinkedHashMap<>();
        invalid.errors().forEach(f -> errors.merge(SlackRequests.blockOf(f.field()), fieldWords(f.field(), f.message()),
            (a, b) -> a + "; " + b));
        return errors(errors);
      }
      if (e instanceof ForbiddenActionException) {
        return errors(Map.of(SlackRequests.WHAT, inWords(e.getMessage()) + ". Nothing was filed."));
      }
      log.warn("Could not file a request from Slack for {}: {}", who.get().userId(), LogSafe.of(thrown));
      return errors(Map.of(SlackRequests.WHAT, "Airlock could not file this just now, so nothing was filed. Try "
          + "again in a minute, or ask in Airlock's portal."));
    }
  }

  private static ResponseEntity<Object> errors(Map<String, String> errors) {
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
        .body(Map.of("response_action", "errors", "errors", errors));
  }

  private void approve(String slackUser, String requestId, Message on, String responseUrl)
      throws IOException, InterruptedException {
    Optional<Caller> who = whoIs(slackUser, requestId, responseUrl);
    if (who.isEmpty() || !onItsMessage(who.get(), slackUser, requestId, on, responseUrl)) {
      return;
    }
    decide(slackUser, requestId, who.get(), new ReviewDecision(ReviewDecision.Outcome.APPROVE, null))
        .ifPresent(refusal -> tell(responseUrl, refusal));
  }

  /** Deny: the same checks as the decision itself first (so nobody is asked for a reason in vain), then the modal. */
  private void askWhy(String slackUser, String requestId, Message on, String responseUrl, String triggerId)
      throws IOException, InterruptedException {
    Optional<Caller> who = whoIs(slackUser, requestId, responseUrl);
    if (who.isEmpty() || !onItsMessage(who.get(), slackUser, requestId, on, responseUrl)) {
      return;
    }
    Caller caller = who.get();
    AccessRequest r;
    try {
      r = requests.get(requestId, caller);
    } catch (RequestNotFoundException e) {
      refused(caller.userId(), slackUser, requestId, "may not read the request");
      tell(responseUrl, "You may not review this request, so nothing was done.");
      return;
    }
    Optional<String> refusal = reviews.reviewRefusal(r, caller);
    if (refusal.isPresent()) {
      refused(caller.userId(), slackUser, requestId, refusal.get());
      tell(responseUrl, inWords(refusal.get()) + ". Nothing was done.");
      return;
    }
    if (r.getStatus() != RequestStatus.PENDING_REVIEW) {
      tell(responseUrl, noLongerWaiting());
      return;
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("request", requestId);
    if (responseUrl != null) {
      metadata.put("responseUrl", responseUrl);
    }
    slack.api().openView(triggerId, words.denyModal(r, JSON.writeValueAsString(metadata)));
  }

  /**
   * A button acts only on the request of the message it is on: Airlock's own review message of that
   * request (its channel and timestamp, as posted). A click whose button names another request, or
   * that comes from anywhere but that message, is refused and audited; nothing changes.
   */
  private boolean onItsMessage(Caller caller, String slackUser, String requestId, Message on, String responseUrl) {
    Optional<SlackMessageMapper.SlackMessageRow> posted = requestId == null ? Optional.empty()
        : messages.find(requestId);
    if (on != null && posted.isPresent() && posted.get().channel().equals(on.channel())
        && posted.get().ts().equals(on.ts())) {
      return true;
    }
    refused(caller.userId(), slackUser, requestId, "the button is not on Airlock's review message of this request");
    tell(responseUrl, "This button is not on Airlock's review message of this request, so nothing was done.");
    return false;
  }

  private Optional<String> deny(String slackUser, String requestId, String reason)
      throws IOException, InterruptedException {
    Optional<Caller> who = people.airlockUser(slackUser);
    if (who.isEmpty()) {
      refusedUnknown(slackUser, requestId);
      return Optional.of(unknownPerson());
    }
    if (requestId == null) {
      refused(who.get().userId(), slackUser, null, "the dialog names no request");
      return Optional.of("You may not review this request, so nothing was done.");
    }
    return decide(slackUser, requestId, who.get(), new ReviewDecision(ReviewDecision.Outcome.DENY, reason));
  }

  /**
   * The decision, through the same use case as everywhere, with a note in the same transaction that it
   * was made in Slack (for the message's "where"). Empty when it was recorded, else the refusal in words.
   */
  private Optional<String> decide(String slackUser, String requestId, Caller caller, ReviewDecision decision) {
    try {
      AccessRequest after = transaction.execute(s -> {
        messages.decidedInSlack(requestId, caller.userId());
        AccessRequest r = requests.review(requestId, decision, caller);
        audit.record(caller.userId(), "slack.review", requestId, Map.of("outcome", decision.outcome().name(),
            "slackUser", String.valueOf(slackUser)));
        return r;
      });
      if (after != null && after.getStatus() == RequestStatus.PENDING_REVIEW) {
        poster.approvedOneOfSeveral(after, caller.userId());
      }
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(refusal(e, caller, slackUser, requestId));
    }
  }

  /** The domain's exception behind an engine's (or the exception itself). */
  private static Throwable domainCause(Throwable thrown) {
    Throwable e = thrown;
    while (e.getCause() != null && !(e instanceof ForbiddenActionException || e instanceof ConflictingStateException
        || e instanceof InvalidRequestException || e instanceof RequestNotFoundException)) {
      e = e.getCause();
    }
    return e;
  }

  /** A field's refusal at the dialog's field: "account ...", "duration must ...", in words. */
  private static String fieldWords(String field, String message) {
    String what = switch (field == null ? "" : field) {
      case "target" -> "The account";
      case "permission" -> "The permission set";
      case "duration" -> "The duration";
      case "justification" -> "The justification";
      case "ticket" -> "The ticket";
      default -> "This";
    };
    return what + " " + inWords(message) + ".";
  }

  private String refusal(RuntimeException thrown, Caller caller, String slackUser, String requestId) {
    Throwable e = domainCause(thrown);
    if (e instanceof StepUpRequiredException) {
      // Audited by the gate. Slack cannot show that the approver signed in with a second factor just now.
      return "Approving needs a recent sign-in with your second factor, which Slack cannot show. Nothing was approved: "
          + "approve it in Tasklist (" + tasklist + ").";
    }
    if (e instanceof ForbiddenActionException) {
      return inWords(e.getMessage()) + ". Nothing was done."; // audited by the gate
    }
    if (e instanceof RequestNotFoundException) {
      refused(caller.userId(), slackUser, requestId, "may not read the request");
      return "You may not review this request, so nothing was done.";
    }
    if (e instanceof ConflictingStateException) {
      return noLongerWaiting();
    }
    if (e instanceof InvalidRequestException invalid) {
      return "Your reason " + String.join("; ", invalid.errors().stream().map(f -> f.message()).toList())
          + ". Nothing was done.";
    }
    log.warn("Could not record the Slack decision of {} on request {}: {}", caller.userId(), LogSafe.of(requestId),
        LogSafe.of(thrown));
    return "Airlock could not record your decision just now, so nothing was done. Try again in a minute, or decide "
        + "in Tasklist (" + tasklist + ").";
  }

  private Optional<Caller> whoIs(String slackUser, String requestId, String responseUrl)
      throws IOException, InterruptedException {
    Optional<Caller> who = people.airlockUser(slackUser);
    if (who.isEmpty()) {
      refusedUnknown(slackUser, requestId);
      tell(responseUrl, unknownPerson());
    }
    return who;
  }

  private String unknownPerson() {
    return unknownPerson("review in Tasklist (" + tasklist + ")");
  }

  private static String unknownPerson(String meanwhile) {
    return "Airlock does not know who you are in Slack, so nothing was done. Your Slack account's email must be "
        + "your Airlock account's, or an administrator links the two; until then, " + meanwhile + ".";
  }

  private static String noLongerWaiting() {
    return "This request no longer waits for review (it was decided, withdrawn or has expired), so nothing was done.";
  }

  private void refusedUnknown(String slackUser, String requestId) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", "the Slack user is no Airlock user (airlock.notify.slack.users, or no matching email)");
    details.put("slackUser", String.valueOf(slackUser));
    audit.refused("slack:" + slackUser, "refused.slack", requestId, details);
  }

  private void refused(String user, String slackUser, String requestId, String reason) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", reason);
    details.put("slackUser", String.valueOf(slackUser));
    audit.refused(user, "refused.review", requestId, details);
  }

  private void tell(String responseUrl, String text) {
    if (!answerable(responseUrl)) {
      return;
    }
    try {
      slack.api().tellOnly(responseUrl, SlackReviewMessage.escape(text));
    } catch (IOException e) {
      log.warn("Could not answer in Slack: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void tellSoon(String responseUrl, String text) {
    if (!answerable(responseUrl)) {
      return;
    }
    try {
      slack.api().tellOnlySoon(responseUrl, SlackReviewMessage.escape(text));
    } catch (IOException | IllegalArgumentException e) {
      log.warn("Could not answer in Slack: {}", LogSafe.of(e.getMessage()));
    }
  }

  /**
   * Only Slack's own addresses are answered ({@code https://…slack.com/…}, GovSlack's
   * {@code slack-gov.com}, or wherever {@code api-url} points): a response_url is taken from the
   * payload, and Airlock does not post to any address a payload names (the metadata service, an
   * internal admin port) even should the signing secret leak.
   */
  private boolean answerable(String responseUrl) {
    if (responseUrl == null) {
      return false;
    }
    try {
      java.net.URI uri = java.net.URI.create(responseUrl);
      java.net.URI api = java.net.URI.create(slack.settings().apiUrl());
      String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
      boolean slacks = "https".equals(uri.getScheme()) && uri.getUserInfo() == null && (uri.getPort() == -1
          || uri.getPort() == 443) && (host.equals("slack.com") || host.endsWith(".slack.com")
          || host.equals("slack-gov.com") || host.endsWith(".slack-gov.com"));
      boolean configured = java.util.Objects.equals(uri.getScheme(), api.getScheme())
          && java.util.Objects.equals(uri.getRawAuthority(), api.getRawAuthority());
      if (slacks || configured) {
        return true;
      }
    } catch (IllegalArgumentException notAnAddress) {
      // below
    }
    log.warn("Did not answer at {}: not Slack's", LogSafe.of(clip(responseUrl)));
    return false;
  }

  /** A text field of the payload, or null when it is missing, not text, or longer than any of Slack's. */
  private static String text(JsonNode node) {
    return node != null && node.isTextual() && node.asText().length() <= 4096 ? node.asText() : null;
  }

  /** A Slack id (U…, W…, T…): upper-case letters and digits; anything else is nobody. */
  private static String slackId(JsonNode node) {
    return slackId(text(node));
  }

  private static String slackId(String id) {
    return id != null && SLACK_ID.matcher(id).matches() ? id : null;
  }

  /** A request id as Airlock makes them, or null. */
  private static String requestId(JsonNode node) {
    String id = text(node);
    return id != null && ID.matcher(id).matches() ? id : null;
  }

  private static String clip(String s) {
    return s == null || s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }

  /** A refusal of the domain in words for chat: the request is "this request", not its id. */
  static String inWords(String message) {
    String s = message == null ? "You may not do this" : message;
    s = Pattern.compile("\\s*\\(" + ID.pattern() + "\\)").matcher(s).replaceAll("");
    s = Pattern.compile("\\b([Rr])equest " + ID.pattern()).matcher(s).replaceAll(m -> m.group(1).equals("R")
        ? "This request" : "this request");
    s = ID.matcher(s).replaceAll("another request");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return fields;
  }
}
