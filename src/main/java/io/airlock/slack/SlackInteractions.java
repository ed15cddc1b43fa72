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
import java.time.Clock;
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
 */
@RestController
class SlackInteractions {

  static final String PATH = "/integrations/slack/interactions";
  private static final int MAX_BODY = 256 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(SlackInteractions.class);
  private static final Logger refusedLog = LoggerFactory.getLogger("io.airlock.refused");
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
  private final String tasklist;
  private final String newRequest;

  SlackInteractions(SlackConnection slack, SlackPeople people, SlackMessageMapper messages, SlackReviewMessage words,
      SlackReviewPoster poster, SlackRequests asking, RequestService requests, Reviews reviews, AuditLog audit, Clock clock,
      PlatformTransactionManager transactions, io.airlock.notify.NotifyProperties notify) {
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
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    Optional<String> problem = body.length > MAX_BODY ? Optional.of("the body is larger than " + MAX_BODY + " bytes")
        : slack.signature().problem(request.getHeader("X-Slack-Request-Timestamp"),
            request.getHeader("X-Slack-Signature"), body, clock.instant());
    if (problem.isPresent()) {
      refusedLog.warn("Refused a Slack callback from {}: {}", request.getRemoteAddr(), problem.get());
      return ResponseEntity.status(401).build();
    }
    Map<String, String> fields = form(new String(body, StandardCharsets.UTF_8));
    if (fields.containsKey("command")) {
      return command(fields);
    }
    JsonNode payload = JSON.readTree(fields.getOrDefault("payload", "{}"));
    String slackUser = payload.path("user").path("id").asText(null);
    String team = payload.path("team").path("id").asText(payload.path("user").path("team_id").asText(""));
    String onlyTeam = slack.settings().teamId();
    if (onlyTeam != null && !onlyTeam.isBlank() && !onlyTeam.equals(team)) {
      // Signed by this app, but from another workspace it is installed in: its people are not ours.
      refusedLog.warn("Refused a Slack callback from workspace {}: only {} is Airlock's (airlock.notify.slack.team-id)",
          io.airlock.logging.LogSafe.of(team), onlyTeam);
      audit.refused("slack:" + slackUser, "refused.slack", payload.path("actions").path(0).path("value").asText(null),
          Map.of("reason", "another Slack workspace",
          "team", team, "slackUser", String.valueOf(slackUser)));
      return ResponseEntity.ok().build();
    }
    try {
      switch (payload.path("type").asText()) {
        case "block_actions" -> {
          JsonNode action = payload.path("actions").path(0);
          String requestId = action.path("value").asText(null);
          String responseUrl = payload.path("response_url").asText(null);
          switch (action.path("action_id").asText()) {
            case SlackReviewMessage.APPROVE -> approve(slackUser, requestId, responseUrl);
            case SlackReviewMessage.DENY -> askWhy(slackUser, requestId, responseUrl, payload.path("trigger_id").asText());
            default -> { } // the link to Tasklist: nothing to do
          }
          return ResponseEntity.ok().build();
        }
        case "view_submission" -> {
          if (SlackRequests.REQUEST_MODAL.equals(payload.path("view").path("callback_id").asText())) {
            return ask(slackUser, payload.path("view"));
          }
          if (!SlackReviewMessage.DENY_MODAL.equals(payload.path("view").path("callback_id").asText())) {
            return ResponseEntity.ok().build();
          }
          return deny(slackUser, payload.path("view"))
              .<ResponseEntity<Object>>map(refusal -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                  .body(Map.of("response_action", "errors", "errors", Map.of(SlackReviewMessage.REASON, refusal))))
              .orElseGet(() -> ResponseEntity.ok().build());
        }
        default -> {
          return ResponseEntity.ok().build();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ResponseEntity.status(503).build();
    } catch (IOException e) {
      // Slack's own API failed (users.info, views.open): nothing was decided; say so if Slack lets us.
      log.warn("Could not handle a Slack callback of {}: {}", io.airlock.logging.LogSafe.of(slackUser), e.getMessage());
      String sorry = "Airlock could not reach Slack just now, so nothing was done. Try again in a minute, or review "
          + "in Tasklist (" + tasklist + ").";
      if ("view_submission".equals(payload.path("type").asText())) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
            .body(Map.of("response_action", "errors", "errors", Map.of(SlackReviewMessage.REASON, sorry)));
      }
      tell(payload.path("response_url").asText(null), sorry);
      return ResponseEntity.ok().build();
    }
  }

  /**
   * The slash command: the dialog asking for access with the person's catalog. Refusals are the
   * command's answer, which only the person sees.
   */
  private ResponseEntity<Object> command(Map<String, String> fields) {
    String slackUser = fields.get("user_id");
    String onlyTeam = slack.settings().teamId();
    if (onlyTeam != null && !onlyTeam.isBlank() && !onlyTeam.equals(fields.get("team_id"))) {
      refusedLog.warn("Refused a Slack command from workspace {}: only {} is Airlock's (airlock.notify.slack.team-id)",
          io.airlock.logging.LogSafe.of(fields.get("team_id")), onlyTeam);
      return onlyYou("This Slack workspace is not Airlock's, so nothing was done.");
    }
    try {
      Optional<Caller> who = people.airlockUser(slackUser);
      if (who.isEmpty()) {
        refusedUnknown(slackUser, null);
        return onlyYou(unknownPerson("ask in Airlock's portal (" + newRequest + ")"));
      }
      Map<String, Object> modal = asking.requestModal(who.get());
      if (modal == null) {
        return onlyYou(asking.nothingToOffer(who.get()));
      }
      slack.api().openView(fields.get("trigger_id"), modal);
      return ResponseEntity.ok().build();
    } catch (IOException e) {
      log.warn("Could not open the request dialog in Slack for {}: {}", io.airlock.logging.LogSafe.of(slackUser),
          e.getMessage());
      return onlyYou("Airlock could not reach Slack just now, so nothing was done. Try again in a minute.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ResponseEntity.status(503).build();
    }
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
      log.warn("Could not file a request from Slack for {}: {}", who.get().userId(), thrown.toString());
      return errors(Map.of(SlackRequests.WHAT, "Airlock could not file this just now, so nothing was filed. Try "
          + "again in a minute, or ask in Airlock's portal."));
    }
  }

  private static ResponseEntity<Object> errors(Map<String, String> errors) {
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
        .body(Map.of("response_action", "errors", "errors", errors));
  }

  private void approve(String slackUser, String requestId, String responseUrl) throws IOException, InterruptedException {
    Optional<Caller> who = whoIs(slackUser, requestId, responseUrl);
    if (who.isEmpty()) {
      return;
    }
    decide(slackUser, requestId, who.get(), new ReviewDecision(ReviewDecision.Outcome.APPROVE, null))
        .ifPresent(refusal -> tell(responseUrl, refusal));
  }

  /** Deny: the same checks as the decision itself first (so nobody is asked for a reason in vain), then the modal. */
  private void askWhy(String slackUser, String requestId, String responseUrl, String triggerId)
      throws IOException, InterruptedException {
    Optional<Caller> who = whoIs(slackUser, requestId, responseUrl);
    if (who.isEmpty()) {
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
    String metadata = JSON.writeValueAsString(Map.of("request", requestId, "responseUrl", String.valueOf(responseUrl)));
    slack.api().openView(triggerId, words.denyModal(r, metadata));
  }

  private Optional<String> deny(String slackUser, JsonNode view) throws IOException, InterruptedException {
    JsonNode metadata = JSON.readTree(view.path("private_metadata").asText("{}"));
    String requestId = metadata.path("request").asText(null);
    String reason = view.path("state").path("values").path(SlackReviewMessage.REASON).path(SlackReviewMessage.REASON)
        .path("value").asText("");
    Optional<Caller> who = people.airlockUser(slackUser);
    if (who.isEmpty()) {
      refusedUnknown(slackUser, requestId);
      return Optional.of(unknownPerson());
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
    log.warn("Could not record the Slack decision of {} on request {}: {}", caller.userId(), requestId,
        thrown.toString());
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
    if (responseUrl == null) {
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
