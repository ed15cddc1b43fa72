package io.airlock.slack;

import io.airlock.request.AccessRequest;
import io.airlock.request.RequestLabels;
import io.airlock.request.RequestStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The review message in Slack's Block Kit, in the words of the portal and the other messages:
 * who asks for which permission set in which account (by name) for how long, why, what policy
 * said; Approve and Deny while it waits; once it no longer waits, what became of it, by whom and
 * where, and no buttons. Text people typed is escaped, so it cannot mention a channel or fake a link.
 */
@Component
class SlackReviewMessage {

  static final String APPROVE = "approve";
  static final String DENY = "deny";
  static final String DENY_MODAL = "airlock-deny";
  static final String REASON = "reason";

  private final RequestLabels labels;
  private final io.airlock.notify.ChatOutcome outcomes;
  private final String tasklist;

  SlackReviewMessage(RequestLabels labels, io.airlock.notify.ChatOutcome outcomes,
      io.airlock.notify.NotifyProperties notify) {
    this.labels = labels;
    this.outcomes = outcomes;
    this.tasklist = notify.baseUrl() + "/camunda/app/tasklist/";
  }

  /** The notification's plain text: "Review waiting: alice · PowerUserAccess · staging (333333333333) · 30 min". */
  String text(AccessRequest r, String what) {
    return what + ": " + labels.title(r);
  }

  /** While the review waits: the request and the two buttons (and, after one approval of several, who approved). */
  List<Object> waiting(AccessRequest r, String note) {
    List<Object> blocks = describe(r, "Review waiting");
    if (note != null) {
      blocks.add(context(note));
    }
    Map<String, Object> approve = button("Approve", APPROVE, r.getId(), "primary");
    approve.put("confirm", Map.of(
        "title", plain("Approve this access?"),
        "text", plain(r.getPrincipal() + " gets " + r.getPermission() + " in " + labels.account(r.getTarget())
            + " for " + RequestLabels.human(r.parsedDuration()) + "."),
        "confirm", plain("Approve"),
        "deny", plain("Cancel")));
    Map<String, Object> open = new LinkedHashMap<>();
    open.put("type", "button");
    open.put("action_id", "tasklist");
    open.put("text", plain("Open Tasklist"));
    open.put("url", tasklist);
    blocks.add(Map.of("type", "actions", "block_id", "review", "elements",
        List.of(approve, button("Deny…", DENY, r.getId(), "danger"), open)));
    return blocks;
  }

  /** Once it no longer waits: the request, what became of it, by whom and where; no buttons. */
  List<Object> decided(AccessRequest r, boolean decidedInSlack) {
    List<Object> blocks = describe(r, outcomeTitle(r));
    blocks.add(section("*" + escape(outcome(r, decidedInSlack)) + "*"));
    return blocks;
  }

  String outcomeTitle(AccessRequest r) {
    return status(r.getStatus());
  }

  /** "Approved by bob in Slack · Active until 14:30 UTC", "Denied by grace in Airlock (…): …", "Withdrawn by alice: …". */
  String outcome(AccessRequest r, boolean decidedInSlack) {
    return outcomes.outcome(r, "Slack", decidedInSlack);
  }

  private String status(RequestStatus s) {
    return outcomes.status(s);
  }

  /** The deny modal: the reason (the requester reads it); the request and where to answer travel in private_metadata. */
  Map<String, Object> denyModal(AccessRequest r, String privateMetadata) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("type", "modal");
    view.put("callback_id", DENY_MODAL);
    view.put("private_metadata", privateMetadata);
    view.put("title", plain("Deny access"));
    view.put("submit", plain("Deny"));
    view.put("close", plain("Cancel"));
    view.put("blocks", List.of(
        section(escape(labels.title(r))),
        Map.of("type", "input", "block_id", REASON,
            "label", plain("Why do you deny it? " + r.getRequester() + " reads this."),
            "element", Map.of("type", "plain_text_input", "action_id", REASON, "multiline", true,
                "max_length", 1000))));
    return view;
  }

  private List<Object> describe(AccessRequest r, String what) {
    List<Object> blocks = new ArrayList<>();
    String who = r.getPrincipal() == null || r.getPrincipal().equals(r.getRequester()) ? r.getRequester()
        : r.getRequester() + " (for " + r.getPrincipal() + ")";
    String permission = r.isCrafted() ? "a crafted policy (" + r.getCraftTemplate() + ")" : r.getPermission();
    blocks.add(section("*" + escape(what) + ":* " + escape(who) + " asks for *" + escape(permission) + "* in *"
        + escape(labels.account(r.getTarget())) + "* for *" + RequestLabels.human(r.parsedDuration()) + "*"
        + (Boolean.TRUE.equals(r.getBreakGlass()) ? " (break-glass)" : "")));
    List<Object> fields = new ArrayList<>();
    fields.add(mrkdwn("*Justification*\n" + escape(r.getJustification())
        + (r.getTicket() == null || r.getTicket().isBlank() ? "" : "\nTicket: " + escape(r.getTicket()))));
    if (r.getDecisionReason() != null && r.getStatus() == RequestStatus.PENDING_REVIEW) {
      fields.add(mrkdwn("*Policy*\n" + escape(r.getDecisionReason())));
    }
    List<String> groups = r.approverGroupList();
    if (!groups.isEmpty()) {
      fields.add(mrkdwn("*Approvers*\n" + escape(String.join(", ", groups))
          + (r.quorum() > 1 ? " (" + r.quorum() + " approvals from different approvers)" : "")));
    }
    blocks.add(Map.of("type", "section", "fields", fields));
    return blocks;
  }

  private static Map<String, Object> button(String text, String actionId, String value, String style) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("type", "button");
    b.put("action_id", actionId);
    b.put("text", plain(text));
    b.put("value", value);
    b.put("style", style);
    return b;
  }

  private static Map<String, Object> section(String mrkdwn) {
    return Map.of("type", "section", "text", mrkdwn(mrkdwn));
  }

  private static Map<String, Object> context(String mrkdwn) {
    return Map.of("type", "context", "elements", List.of(mrkdwn(escape(mrkdwn))));
  }

  private static Map<String, Object> mrkdwn(String text) {
    return Map.of("type", "mrkdwn", "text", text);
  }

  private static Map<String, Object> plain(String text) {
    return Map.of("type", "plain_text", "text", text.length() > 150 ? text.substring(0, 149) + "…" : text);
  }

  /** Slack's three control characters in text: no mention, channel alert or link can be smuggled in. */
  static String escape(String text) {
    return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
