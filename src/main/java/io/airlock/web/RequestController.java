package io.airlock.web;

import io.airlock.identity.CurrentUser;
import io.airlock.request.AccessRequest;
import io.airlock.request.ExtensionOptions;
import io.airlock.request.RequestChanges;
import io.airlock.request.RequestPreview;
import io.airlock.request.RequestService;
import io.airlock.request.ReviewDecision;
import io.airlock.request.SubmitRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Access requests over REST, for people with curl and for other systems. */
@RestController
@RequestMapping("/api/requests")
@Tag(name = "Access requests")
class RequestController {

  private final RequestService requests;
  private final RequestChanges changes;
  private final io.airlock.policy.PolicyDecisions policyDecisions;
  private final RequestPreview preview;

  RequestController(RequestService requests, RequestChanges changes, io.airlock.policy.PolicyDecisions policyDecisions,
      RequestPreview preview) {
    this.requests = requests;
    this.changes = changes;
    this.policyDecisions = policyDecisions;
    this.preview = preview;
  }

  @PostMapping
  @Operation(summary = "Request temporary access",
      description = "Validates the request, applies the policy and starts the process. 201 with the request; "
          + "400 problem+json naming every wrong field, and nothing is started.")
  ResponseEntity<RequestView> submit(@RequestBody(required = false) SubmitRequest body, Authentication auth) {
    AccessRequest r = requests.submit(body, CurrentUser.of(auth));
    return ResponseEntity.created(URI.create("/api/requests/" + r.getId())).body(RequestView.of(r));
  }

  @PostMapping("/preview")
  @Operation(summary = "What policy will do with a request, before anything is filed",
      description = "The same body as POST /api/requests, checked the same way (400 naming every wrong field); both "
          + "policy tables on the draft, nothing stored, audited or started: outcome APPROVED_AT_ONCE, "
          + "BREAK_GLASS_AT_ONCE, NEEDS_REVIEW, DENIED or NOT_ALLOWED, the reason in words, the scope, who reviews, "
          + "how many approvals, the longest duration (maxDuration).")
  RequestPreview.Forecast preview(@RequestBody(required = false) SubmitRequest body, Authentication auth) {
    return preview.preview(body, CurrentUser.of(auth));
  }

  @GetMapping("/{id}")
  @Operation(summary = "One request with its status, the policy's reason, the grant's start and end, its "
      + "timeline (who did what, when, why) from the audit log, and how policy judged it (policyDecisions: "
      + "decision definition id and version, inputs, matched rules, outputs)")
  RequestView get(@PathVariable String id, Authentication auth) {
    return RequestView.of(requests.get(id, CurrentUser.of(auth)))
        .withTimeline(requests.timeline(id, CurrentUser.of(auth)))
        .withPolicyDecisions(policyDecisions.forRequest(id));
  }

  @GetMapping
  @Operation(summary = "Your requests; every request for approvers, auditors, operators and admins")
  List<RequestView> list(@RequestParam(defaultValue = "false") boolean mine,
      @RequestParam(defaultValue = "100") int limit, Authentication auth) {
    return requests.list(CurrentUser.of(auth), mine, limit).stream().map(RequestView::of).toList();
  }

  @GetMapping("/waiting")
  @Operation(summary = "Requests waiting for a review you may give (never your own), oldest first",
      description = "The same list as the portal's 'Waiting for your review' and Tasklist's: the scope's approver "
          + "groups, four eyes (not the requester, not the principal, not an editor), not twice in a quorum.")
  List<RequestView> waiting(Authentication auth) {
    return requests.waitingFor(CurrentUser.of(auth)).stream().map(RequestView::of).toList();
  }

  @PostMapping("/{id}/review")
  @Operation(summary = "Approve or deny a request waiting for review",
      description = "Same rules as in Tasklist: only a member of the scope's approver groups, never the requester.")
  RequestView review(@PathVariable String id, @RequestBody(required = false) ReviewBody body, Authentication auth) {
    return RequestView.of(requests.review(id, ReviewBody.decision(body), CurrentUser.of(auth)));
  }

  @PostMapping("/{id}/revoke")
  @Operation(summary = "End active access now (requester, approver or admin)")
  RequestView revoke(@PathVariable String id, @RequestBody(required = false) WithdrawBody body, Authentication auth) {
    return RequestView.of(requests.requestRevoke(id, body == null ? null : body.reason(), CurrentUser.of(auth)));
  }

  @PostMapping("/{id}/withdraw")
  @Operation(summary = "Withdraw a request waiting for review (its requester)",
      description = "The request ends CANCELLED; 409 when it is not waiting for review.")
  RequestView withdraw(@PathVariable String id, @RequestBody(required = false) WithdrawBody body, Authentication auth) {
    return RequestView.of(requests.withdraw(id, body == null ? null : body.reason(), CurrentUser.of(auth)));
  }

  @PostMapping("/{id}/clone")
  @Operation(summary = "File a new request with the same values (its requester or an approver of its scope)",
      description = "201 with the new request, which goes through policy and review again.")
  ResponseEntity<RequestView> cloneRequest(@PathVariable String id, Authentication auth) {
    AccessRequest r = changes.cloneRequest(id, CurrentUser.of(auth));
    return ResponseEntity.created(URI.create("/api/requests/" + r.getId())).body(RequestView.of(r));
  }

  @PostMapping("/{id}/edit")
  @Operation(summary = "Edit a request waiting for review (an approver of its scope)",
      description = "201 with the new request (another target, permission or duration; the same requester and "
          + "principal), decided by policy and reviewed again, never by the editor; the original ends SUPERSEDED.")
  ResponseEntity<RequestView> edit(@PathVariable String id, @RequestBody(required = false) EditBody body,
      Authentication auth) {
    EditBody b = body == null ? new EditBody(null, null, null, null) : body;
    AccessRequest r = changes.edit(id, b.target(), b.permission(), b.duration(), b.comment(), CurrentUser.of(auth));
    return ResponseEntity.created(URI.create("/api/requests/" + r.getId())).body(RequestView.of(r));
  }

  @PostMapping("/{id}/rework")
  @Operation(summary = "Change active access: a new remaining duration from now (shorter or longer), and optionally "
      + "a narrower permission set",
      description = "201 with the rework, a new request decided by policy (bounding the whole span) and review; "
          + "AWS changes only when it is approved, and the original then ends SUPERSEDED without a gap.")
  ResponseEntity<RequestView> rework(@PathVariable String id, @RequestBody(required = false) ReworkBody body,
      Authentication auth) {
    AccessRequest r = changes.rework(id, body == null ? null : body.duration(), body == null ? null : body.permission(),
        body == null ? null : body.justification(), CurrentUser.of(auth));
    return ResponseEntity.created(URI.create("/api/requests/" + r.getId())).body(RequestView.of(r));
  }

  @GetMapping("/{id}/extensions")
  @Operation(summary = "What more time policy can allow this active access now, for you",
      description = "The choices (15 min, 30 min, 1 h, 2 h, 4 h … up to what the scope's maximum, counted from the "
          + "first grant, leaves after the current end, and that rest), each with its new end; or none, with the "
          + "reason in words. POST /extend with one of them.")
  ExtensionOptions extensions(@PathVariable String id, Authentication auth) {
    return changes.extensionOptions(id, CurrentUser.of(auth));
  }

  @PostMapping("/{id}/extend")
  @Operation(summary = "Ask for more time on active access: {by: PT1H, justification: why}",
      description = "A rework whose duration is the remaining time plus 'by', ending once approved at the current end "
          + "plus 'by' (extension: from, to, by). Its own justification is required (400 naming justification); "
          + "'by' beyond what GET /extensions offers is a 422 naming by, with the allowed maximum.")
  ResponseEntity<RequestView> extend(@PathVariable String id, @RequestBody(required = false) ExtendBody body,
      Authentication auth) {
    AccessRequest r = changes.extend(id, body == null ? null : body.by(), body == null ? null : body.justification(),
        CurrentUser.of(auth));
    return ResponseEntity.created(URI.create("/api/requests/" + r.getId())).body(RequestView.of(r));
  }

  /** Body of an approver's edit: what changes, and why. */
  record EditBody(String target, String permission, String duration, String comment) {}

  /** Body of a rework: the new remaining duration from now, and optionally a new justification. */
  record ReworkBody(String duration, String permission, String justification) {}

  /** Body of an extension. */
  record ExtendBody(String by, String justification) {}

  /** Body of a withdrawal or an early revoke: why. */
  record WithdrawBody(String reason) {}

  /** Body of a review. */
  record ReviewBody(String outcome, String comment) {

    static ReviewDecision decision(ReviewBody body) {
      if (body == null || body.outcome() == null) {
        throw new io.airlock.request.InvalidRequestException(List.of(
            new io.airlock.request.InvalidRequestException.FieldError("outcome", "is required: APPROVE or DENY")));
      }
      try {
        return new ReviewDecision(ReviewDecision.Outcome.valueOf(body.outcome()), body.comment());
      } catch (IllegalArgumentException e) {
        throw new io.airlock.request.InvalidRequestException(List.of(
            new io.airlock.request.InvalidRequestException.FieldError("outcome",
                "must be APPROVE or DENY, was '" + body.outcome() + "'")));
      }
    }
  }
}
