package io.airlock.teams;

import io.airlock.request.AccessRequest;
import io.airlock.request.RequestLabels;
import io.airlock.request.RequestStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The review card in Teams (an Adaptive Card 1.4), in the words of the portal and of the Slack
 * message: who asks for which permission set in which account (by name) for how long, why, what
 * policy said; Approve, and Deny behind a required reason, while it waits; once it no longer waits,
 * what became of it, by whom and where, and no actions. Text people typed is shown as text runs,
 * which Teams does not read as Markdown, so no link or formatting can be smuggled in.
 */
@Component
class TeamsReviewCard {

  static final String ACTION = "airlock";
  static final String APPROVE = "approve";
  static final String DENY = "deny";
  static final String REQUEST = "request";
  static final String REASON = "reason";

  private final RequestLabels labels;
  private final io.airlock.notify.ChatOutcome outcomes;
  private final String tasklist;

  TeamsReviewCard(RequestLabels labels, io.airlock.notify.ChatOutcome outcomes, io.airlock.notify.NotifyProperties notify) {
    this.labels = labels;
    this.outcomes = outcomes;
    this.tasklist = notify.baseUrl() + "/camunda/app/tasklist/";
  }

  /** The notification's text: "Review waiting: alice · PowerUserAccess · staging (333333333333) · 30 min". */
  String text(AccessRequest r, String what) {
    return what + ": " + labels.title(r);
  }

  /** While the review waits: the request, Approve, Deny… (asks why, required) and Open Tasklist. */
  Map<String, Object> waiting(AccessRequest r, String note) {
    List<Object> body = describe(r, "Review waiting");
    if (note != null) {
      body.add(runs(run(note, false)));
    }
    Map<String, Object> reason = new LinkedHashMap<>();
    reason.put("type", "Input.Text");
    reason.put("id", REASON);
    reason.put("label", "Why do you deny it? " + r.getRequester() + " reads this.");
    reason.put("isMultiline", true);
    reason.put("maxLength", 1000);
    reason.put("isRequired", true);
    reason.put("errorMessage", "Say why you deny it.");
    Map<String, Object> denyCard = card(List.of(reason), List.of(submit("Deny", DENY, r.getId())));
    List<Object> actions = List.of(
        submit("Approve", APPROVE, r.getId()),
        Map.of("type", "Action.ShowCard", "title", "Deny…", "card", denyCard),
        Map.of("type", "Action.OpenUrl", "title", "Open Tasklist", "url", tasklist));
    return card(body, actions);
  }

  /** Once it no longer waits: the request, what became of it, by whom and where; no actions. */
  Map<String, Object> decided(AccessRequest r, boolean decidedInTeams) {
    List<Object> body = describe(r, status(r.getStatus()));
    body.add(runs(run(outcome(r, decidedInTeams), true)));
    return card(body, List.of());
  }

  String outcomeTitle(AccessRequest r) {
    return status(r.getStatus());
  }

  /** "Approved by bob in Teams · Active until 14:30 UTC", "Denied by grace in Airlock (…): …", "Withdrawn by alice: …". */
  String outcome(AccessRequest r, boolean decidedInTeams) {
    return outcomes.outcome(r, "Teams", decidedInTeams);
  }

  private String status(RequestStatus s) {
    return outcomes.status(s);
  }

  private List<Object> describe(AccessRequest r, String what) {
    List<Object> body = new ArrayList<>();
    String who = r.getPrincipal() == null || r.getPrincipal().equals(r.getRequester()) ? r.getRequester()
        : r.getRequester() + " (for " + r.getPrincipal() + ")";
    String permission = r.isCrafted() ? "a crafted policy (" + r.getCraftTemplate() + ")" : r.getPermission();
    body.add(runs(run(what + ": ", true), run(who + " asks for ", false), run(permission, true), run(" in ", false),
        run(labels.account(r.getTarget()), true), run(" for ", false), run(RequestLabels.human(r.parsedDuration()), true),
        run(Boolean.TRUE.equals(r.getBreakGlass()) ? " (break-glass)" : "", false)));
    body.add(runs(run("Justification: ", true), run(r.getJustification(), false)));
    if (r.getTicket() != null && !r.getTicket().isBlank()) {
      body.add(runs(run("Ticket: ", true), run(r.getTicket(), false)));
    }
    if (r.getDecisionReason() != null && r.getStatus() == RequestStatus.PENDING_REVIEW) {
      body.add(runs(run("Policy: ", true), run(r.getDecisionReason(), false)));
    }
    List<String> groups = r.approverGroupList();
    if (!groups.isEmpty()) {
      body.add(runs(run("Approvers: ", true), run(String.join(", ", groups)
          + (r.quorum() > 1 ? " (" + r.quorum() + " approvals from different approvers)" : ""), false)));
    }
    return body;
  }

  private static Map<String, Object> card(List<Object> body, List<Object> actions) {
    Map<String, Object> card = new LinkedHashMap<>();
    card.put("type", "AdaptiveCard");
    card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    card.put("version", "1.4");
    card.put("body", body);
    if (!actions.isEmpty()) {
      card.put("actions", actions);
    }
    return card;
  }

  private static Map<String, Object> submit(String title, String action, String requestId) {
    return Map.of("type", "Action.Submit", "title", title, "data", Map.of(ACTION, action, REQUEST, requestId));
  }

  /** A block of text runs: never read as Markdown. */
  private static Map<String, Object> runs(Map<?, ?>... runs) {
    return Map.of("type", "RichTextBlock", "inlines", List.of(runs).stream().filter(x -> !"".equals(x.get("text")))
        .toList());
  }

  private static Map<String, Object> run(String text, boolean bold) {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("type", "TextRun");
    run.put("text", text == null ? "" : text);
    if (bold) {
      run.put("weight", "bolder");
    }
    return run;
  }
}
