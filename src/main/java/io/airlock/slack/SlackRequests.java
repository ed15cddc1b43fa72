package io.airlock.slack;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.policy.PolicyCatalog;
import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.RequestLabels;
import io.airlock.request.RequestService;
import io.airlock.request.SubmitRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;

/**
 * Asking for access from Slack: the slash command opens a dialog offering the requester's catalog
 * (the accounts by name with the permission sets they may ask for there, and how long at most),
 * a duration, the justification and an optional ticket; its submission files the request through
 * the same use case as the API and the portal ({@link RequestService#submit}) and answers with
 * what policy did, in words. Only for oneself; crafted permissions, break-glass, a later start
 * and asking for someone else stay in the portal.
 */
@Component
class SlackRequests {

  static final String REQUEST_MODAL = "airlock-request";
  static final String WHAT = "what";
  static final String DURATION = "duration";
  static final String JUSTIFICATION = "justification";
  static final String TICKET = "ticket";
  /** Slack's limit of options in one select. */
  private static final int MAX_OPTIONS = 100;
  private static final List<Duration> DURATIONS = List.of(Duration.ofMinutes(15), Duration.ofMinutes(30),
      Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8), Duration.ofHours(12));

  private final PolicyCatalog catalog;
  private final RequestService requests;
  private final RequestLabels labels;
  private final MessageSource words;

  SlackRequests(PolicyCatalog catalog, RequestService requests, RequestLabels labels, MessageSource words) {
    this.catalog = catalog;
    this.requests = requests;
    this.labels = labels;
    this.words = words;
  }

  /** The dialog with {@code caller}'s catalog, or null with nothing to offer ({@link #nothingToOffer}). */
  Map<String, Object> requestModal(Caller caller) {
    PolicyCatalog.Catalog offered = catalog.forUser(caller);
    List<Object> options = new ArrayList<>();
    long longest = 0;
    for (PolicyCatalog.Target t : offered.targets()) {
      for (PolicyCatalog.Permission p : t.permissions()) {
        if (!"EXISTING".equalsIgnoreCase(p.kind()) || p.permission().startsWith("craft:") || options.size() >= MAX_OPTIONS) {
          continue;
        }
        longest = Math.max(longest, p.maxDurationMinutes());
        options.add(option(t.name() + " · " + p.permission() + " (up to "
            + RequestLabels.human(Duration.ofMinutes(p.maxDurationMinutes())) + ")", t.target() + "|" + p.permission()));
      }
    }
    if (options.isEmpty()) {
      return null;
    }
    long max = longest;
    List<Object> durations = DURATIONS.stream().filter(d -> d.toMinutes() <= max)
        .map(d -> (Object) option(RequestLabels.human(d), d.toString())).toList();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("type", "modal");
    view.put("callback_id", REQUEST_MODAL);
    view.put("title", plain("Ask for access"));
    view.put("submit", plain("Ask"));
    view.put("close", plain("Cancel"));
    view.put("blocks", List.of(
        input(WHAT, "Which access, where", Map.of("type", "static_select", "action_id", WHAT, "options", options,
            "placeholder", plain("Account · permission set"))),
        input(DURATION, "For how long", Map.of("type", "static_select", "action_id", DURATION, "options", durations,
            "placeholder", plain("Duration"))),
        input(JUSTIFICATION, "Why (approvers read this)", Map.of("type", "plain_text_input", "action_id", JUSTIFICATION,
            "multiline", true, "max_length", 1000)),
        optional(input(TICKET, "Ticket (optional)", Map.of("type", "plain_text_input", "action_id", TICKET,
            "max_length", 64)))));
    return view;
  }

  /** Why there is nothing to offer, in the catalog's own words. */
  String nothingToOffer(Caller caller) {
    String why = catalog.forUser(caller).emptyBecause();
    return "There is nothing you may ask for from Slack" + (why == null ? "." : ": " + why);
  }

  /** The values of the submitted dialog, as a request for oneself. */
  static SubmitRequest submitted(JsonNode view) {
    JsonNode values = view.path("state").path("values");
    String what = values.path(WHAT).path(WHAT).path("selected_option").path("value").asText("");
    int bar = what.indexOf('|');
    String target = bar < 0 ? null : what.substring(0, bar);
    String permission = bar < 0 ? null : what.substring(bar + 1);
    String duration = values.path(DURATION).path(DURATION).path("selected_option").path("value").asText(null);
    String justification = values.path(JUSTIFICATION).path(JUSTIFICATION).path("value").asText(null);
    String ticket = values.path(TICKET).path(TICKET).path("value").asText(null);
    return new SubmitRequest("AWS", target, null, permission, duration, justification,
        ticket == null || ticket.isBlank() ? null : ticket);
  }

  /** Files it through the same use case as the API and the portal. */
  AccessRequest file(SubmitRequest input, Caller caller) {
    return requests.submit(input, caller);
  }

  /** What happened, for the dialog's last page: what was asked, and what policy did with it. */
  Map<String, Object> filed(AccessRequest r) {
    String asked = r.getPermission() + " in " + labels.account(r.getTarget()) + " for "
        + RequestLabels.human(r.parsedDuration());
    String outcome = switch (r.getStatus()) {
      case PENDING_REVIEW -> "It waits for review by " + String.join(", ", r.approverGroupList())
          + (r.quorum() > 1 ? " (" + r.quorum() + " approvals)" : "") + ". You hear of the decision."
          + (r.getDecisionReason() == null ? "" : "\nPolicy: " + r.getDecisionReason());
      case GRANTING, ACTIVE -> "Approved at once by policy: it is being granted in AWS now."
          + (r.getDecisionReason() == null ? "" : "\nPolicy: " + r.getDecisionReason());
      case SCHEDULED -> "Approved; it starts later.";
      case DENIED -> "Policy denied it" + (r.getDecisionReason() == null ? "." : ": " + r.getDecisionReason());
      case REJECTED_OUT_OF_SCOPE -> "Not allowed" + (r.getDecisionReason() == null ? "." : ": " + r.getDecisionReason());
      default -> words.getMessage("status." + r.getStatus().name(), null, r.getStatus().name(), Locale.ENGLISH) + ".";
    };
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("type", "modal");
    view.put("title", plain("Ask for access"));
    view.put("close", plain("Done"));
    view.put("blocks", List.of(Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text",
        "*" + SlackReviewMessage.escape(asked) + "*\n" + SlackReviewMessage.escape(outcome)))));
    return view;
  }

  /** The dialog's field a refusal of the use case belongs to. */
  static String blockOf(String field) {
    return switch (field == null ? "" : field) {
      case "duration" -> DURATION;
      case "justification" -> JUSTIFICATION;
      case "ticket" -> TICKET;
      default -> WHAT;
    };
  }

  private static Map<String, Object> input(String blockId, String label, Map<String, Object> element) {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("type", "input");
    block.put("block_id", blockId);
    block.put("label", plain(label));
    block.put("element", element);
    return block;
  }

  private static Map<String, Object> optional(Map<String, Object> block) {
    block.put("optional", true);
    return block;
  }

  private static Map<String, Object> option(String text, String value) {
    return Map.of("text", plain(text.length() > 75 ? text.substring(0, 74) + "…" : text), "value", value);
  }

  private static Map<String, Object> plain(String text) {
    return Map.of("type", "plain_text", "text", text);
  }
}
