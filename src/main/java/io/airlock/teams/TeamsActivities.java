package io.airlock.teams;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.audit.AuditLog;
import io.airlock.logging.LogSafe;
import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestNotFoundException;
import io.airlock.request.RequestService;
import io.airlock.request.RequestStatus;
import io.airlock.request.ReviewDecision;
import io.airlock.request.StepUpRequiredException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The bot's messaging endpoint: the activities Teams sends, of which Airlock acts on one kind, the
 * review card's Approve and Deny. Reachable without signing in to Airlock, so nothing is believed
 * before the Bot Framework's token is verified ({@link TeamsTokenVerifier}: signature, issuer,
 * audience, expiry, serviceUrl); an activity id already handled is refused as a replay. Either is a
 * 401 without a body and one WARN line. The Teams user is mapped to an Airlock user
 * ({@link TeamsPeople}), and the decision goes through the same use case as Slack, the API and
 * Tasklist ({@link RequestService#review}): four eyes, eligibility, quorum and step-up alike. A
 * refusal is answered in words in the card's thread, and audited; nothing changes.
 */
@RestController
class TeamsActivities {

  static final String PATH = "/integrations/teams/messages";
  private static final int MAX_BODY = 256 * 1024;
  /** Longer than any Bot Framework token lives: an activity id older than this cannot come with a valid token. */
  private static final Duration REMEMBER = Duration.ofDays(1);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(TeamsActivities.class);
  private static final Logger refusedLog = LoggerFactory.getLogger("io.airlock.refused");
  private static final Pattern ID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final TeamsConnection teams;
  private final TeamsPeople people;
  private final TeamsMessageMapper messages;
  private final TeamsReviewPoster poster;
  private final RequestService requests;
  private final AuditLog audit;
  private final Clock clock;
  private final TransactionTemplate transaction;
  private final String tasklist;

  TeamsActivities(TeamsConnection teams, TeamsPeople people, TeamsMessageMapper messages, TeamsReviewPoster poster,
      RequestService requests, AuditLog audit, Clock clock, PlatformTransactionManager transactions,
      io.airlock.notify.NotifyProperties notify) {
    this.teams = teams;
    this.people = people;
    this.messages = messages;
    this.poster = poster;
    this.requests = requests;
    this.audit = audit;
    this.clock = clock;
    this.transaction = new TransactionTemplate(transactions);
    this.tasklist = notify.baseUrl() + "/camunda/app/tasklist/";
  }

  /** What one activity carries that Airlock reads, once its token is verified. */
  private record Activity(String id, String serviceUrl, String conversationId, String replyToId, String userId,
      String aadObjectId, String tenantId, JsonNode value) {

    String teamsUser() {
      return aadObjectId != null && !aadObjectId.isBlank() ? aadObjectId : String.valueOf(userId);
    }
  }

  @PostMapping(PATH)
  ResponseEntity<Void> receive(HttpServletRequest request) throws IOException {
    if (!teams.enabled()) {
      return ResponseEntity.notFound().build();
    }
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      return unverified(request, "the body is larger than " + MAX_BODY + " bytes");
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (JacksonException e) {
      return unverified(request, "the body is not JSON");
    }
    if (json == null || !json.isObject()) {
      return unverified(request, "the body is not an activity");
    }
    Optional<String> problem = teams.verifier().problem(request.getHeader("Authorization"),
        json.path("serviceUrl").asText(null));
    if (problem.isPresent()) {
      return unverified(request, problem.get());
    }
    Activity activity = new Activity(json.path("id").asText(""), json.path("serviceUrl").asText(),
        json.path("conversation").path("id").asText(""), json.path("replyToId").asText(null),
        json.path("from").path("id").asText(null), json.path("from").path("aadObjectId").asText(null),
        json.path("channelData").path("tenant").path("id").asText(json.path("conversation").path("tenantId").asText("")),
        json.path("value"));
    if (activity.id().isBlank()) {
      return unverified(request, "the activity has no id");
    }
    // Activity ids are unique within a conversation: the pair is what was handled.
    if (!firstTime(baseConversation(activity.conversationId()) + " " + activity.id())) {
      return unverified(request, "activity " + LogSafe.of(activity.id()) + " was handled already (a replay)");
    }
    JsonNode value = activity.value();
    String action = value.path(TeamsReviewCard.ACTION).asText("");
    if (!"message".equals(json.path("type").asText()) || action.isEmpty()) {
      return ResponseEntity.ok().build(); // not a card's button: conversation updates, chat with the bot
    }
    String requestId = value.path(TeamsReviewCard.REQUEST).asText(null);
    try {
      Optional<String> refusal = handle(activity, action, requestId, value.path(TeamsReviewCard.REASON).asText(""));
      refusal.ifPresent(text -> tell(activity, text));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ResponseEntity.status(503).build();
    } catch (IOException e) {
      // The Bot Connector failed (member lookup): nothing was decided; say so if it lets us.
      log.warn("Could not handle a Teams activity of {}: {}", LogSafe.of(activity.teamsUser()), e.getMessage());
      tell(activity, "Airlock could not reach Teams just now, so nothing was done. Try again in a minute, or review "
          + "in Tasklist (" + tasklist + ").");
    }
    return ResponseEntity.ok().build();
  }

  /** Empty when decided; else the refusal in words. */
  private Optional<String> handle(Activity activity, String action, String requestId, String reason)
      throws IOException, InterruptedException {
    String onlyTenant = teams.settings().tenantId();
    if (onlyTenant != null && !onlyTenant.isBlank() && !onlyTenant.equalsIgnoreCase(activity.tenantId())) {
      refusedLog.warn("Refused a Teams activity from tenant {}: only {} is Airlock's (airlock.notify.teams.tenant-id)",
          LogSafe.of(activity.tenantId()), onlyTenant);
      refusedTeams(activity, requestId, "another Microsoft Entra tenant");
      return Optional.of("This Microsoft tenant is not Airlock's, so nothing was done.");
    }
    String conversation = baseConversation(activity.conversationId());
    if (!conversation.equals(teams.settings().conversationId())) {
      refusedTeams(activity, requestId, "another Teams conversation than airlock.notify.teams.conversation-id");
      return Optional.of("Airlock takes reviews only in its reviewers' conversation, so nothing was done.");
    }
    Optional<Caller> who = people.airlockUser(activity.serviceUrl(), conversation, activity.userId(),
        activity.aadObjectId());
    if (who.isEmpty()) {
      refusedTeams(activity, requestId,
          "the Teams user is no Airlock user (airlock.notify.teams.users, or no matching email)");
      return Optional.of("Airlock does not know who you are in Teams, so nothing was done. Your Teams account's email "
          + "must be your Airlock account's, or an administrator links the two; until then, review in Tasklist ("
          + tasklist + ").");
    }
    ReviewDecision decision = switch (action) {
      case TeamsReviewCard.APPROVE -> new ReviewDecision(ReviewDecision.Outcome.APPROVE, null);
      case TeamsReviewCard.DENY -> new ReviewDecision(ReviewDecision.Outcome.DENY, reason);
      default -> null;
    };
    if (decision == null || requestId == null || requestId.isBlank()) {
      return Optional.empty();
    }
    return decide(activity, requestId, who.get(), decision);
  }

  /**
   * The decision, through the same use case as everywhere, with a note in the same transaction that it
   * was made in Teams (for the card's "where").
   */
  private Optional<String> decide(Activity activity, String requestId, Caller caller, ReviewDecision decision) {
    try {
      AccessRequest after = transaction.execute(s -> {
        messages.decidedInTeams(requestId, caller.userId());
        AccessRequest r = requests.review(requestId, decision, caller);
        audit.record(caller.userId(), "teams.review", requestId, Map.of("outcome", decision.outcome().name(),
            "teamsUser", activity.teamsUser()));
        return r;
      });
      if (after != null && after.getStatus() == RequestStatus.PENDING_REVIEW) {
        poster.approvedOneOfSeveral(after, caller.userId());
      }
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(refusal(e, caller, activity, requestId));
    }
  }

  private String refusal(RuntimeException thrown, Caller caller, Activity activity, String requestId) {
    Throwable e = thrown;
    while (e.getCause() != null && !(e instanceof ForbiddenActionException || e instanceof ConflictingStateException
        || e instanceof InvalidRequestException || e instanceof RequestNotFoundException)) {
      e = e.getCause();
    }
    if (e instanceof StepUpRequiredException) {
      // Audited by the gate. Teams cannot show that the approver signed in with a second factor just now.
      return "Approving needs a recent sign-in with your second factor, which Teams cannot show. Nothing was approved: "
          + "approve it in Tasklist (" + tasklist + ").";
    }
    if (e instanceof ForbiddenActionException) {
      return inWords(e.getMessage()) + ". Nothing was done."; // audited by the gate
    }
    if (e instanceof RequestNotFoundException) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("reason", "may not read the request");
      details.put("teamsUser", activity.teamsUser());
      audit.refused(caller.userId(), "refused.review", requestId, details);
      return "You may not review this request, so nothing was done.";
    }
    if (e instanceof ConflictingStateException) {
      return "This request no longer waits for review (it was decided, withdrawn or has expired), so nothing was done.";
    }
    if (e instanceof InvalidRequestException invalid) {
      return "Your reason " + String.join("; ", invalid.errors().stream().map(f -> f.message()).toList())
          + ". Nothing was done.";
    }
    log.warn("Could not record the Teams decision of {} on request {}: {}", caller.userId(), requestId,
        thrown.toString());
    return "Airlock could not record your decision just now, so nothing was done. Try again in a minute, or decide "
        + "in Tasklist (" + tasklist + ").";
  }

  /** Records the activity (conversation and id); false when it was handled already. */
  private boolean firstTime(String activityId) {
    try {
      transaction.executeWithoutResult(s -> {
        messages.forgetHandledBefore(clock.instant().minus(REMEMBER));
        messages.handled(activityId, clock.instant());
      });
      return true;
    } catch (DataIntegrityViolationException e) {
      return false;
    }
  }

  private ResponseEntity<Void> unverified(HttpServletRequest request, String problem) {
    refusedLog.warn("Refused a Teams activity from {}: {}", request.getRemoteAddr(), problem);
    return ResponseEntity.status(401).build();
  }

  private void refusedTeams(Activity activity, String requestId, String reason) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", reason);
    details.put("teamsUser", activity.teamsUser());
    audit.refused("teams:" + activity.teamsUser(), "refused.teams", requestId, details);
  }

  /** The answer, in the card's thread of the conversation the activity came from. */
  private void tell(Activity activity, String text) {
    try {
      teams.api().reply(activity.serviceUrl(), activity.conversationId(), activity.replyToId(), text);
    } catch (IOException e) {
      log.warn("Could not answer in Teams: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A channel's conversation id without the thread's {@code ;messageid=...}. */
  private static String baseConversation(String conversationId) {
    int semicolon = conversationId.indexOf(';');
    return semicolon < 0 ? conversationId : conversationId.substring(0, semicolon);
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
}
