package io.airlock.notify;

import io.airlock.audit.AuditChainBroken;
import io.airlock.proposal.PolicyProposal;
import io.airlock.proposal.ProposalEvent;
import io.airlock.request.AccessRequest;
import io.airlock.request.RequestEvent;
import io.airlock.request.RequestLabels;
import io.airlock.request.RequestStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * What people are told about a request event, and whom: approvers when a review waits (and
 * again at a reminder or an escalation), the requester on every decision and outcome, the
 * principal when their access starts and ends, the security group on break-glass and when the
 * audit log is found broken.
 */
@Component
class Notices {

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
      .withZone(ZoneOffset.UTC);

  private final NotifyProperties properties;
  private final RequestLabels labels;
  private final String policyAuthors;
  @org.springframework.beans.factory.annotation.Autowired
  Notices(NotifyProperties properties, RequestLabels labels, io.airlock.config.AirlockProperties airlock) {
    this(properties, labels, airlock.groups().policyAuthors());
  }

  Notices(NotifyProperties properties, RequestLabels labels, String policyAuthors) {
    this.properties = properties;
    this.labels = labels;
    this.policyAuthors = policyAuthors;
  }

  /**
   * A policy proposal: the policy approvers and the security group when it waits for review; its
   * author and the security group when it is decided, put in force, superseded or expired.
   */
  Notice of(ProposalEvent event) {
    PolicyProposal p = event.proposal();
    String policyApprovers = event.reviewers();
    String what = "Policy proposal " + p.id() + " by " + p.author();
    String portal = properties.baseUrl() + "/policy";
    return switch (event.kind()) {
      case WAITING_FOR_REVIEW -> new Notice(null, "policy.proposal-waiting", what + " waits for review",
          p.author() + " proposed a policy change at " + when(p.proposedAt()) + ". Nothing of it is in force until "
              + "a member of " + policyApprovers + " other than " + p.author() + " approves it.\n\n"
              + event.summary() + "\n\nReview it in Tasklist (filter \"Policy proposals\"):",
          properties.baseUrl() + "/camunda/app/tasklist/", List.of(), List.of(policyApprovers,
              properties.securityGroup()));
      case APPROVED -> new Notice(null, "policy.proposal-approved", what + " approved by " + p.reviewer(),
          "It is being put in force.", portal, List.of(p.author()), List.of(properties.securityGroup()));
      case REJECTED -> new Notice(null, "policy.proposal-rejected", what + " rejected by " + p.reviewer(),
          "The policy in force stays as it was. " + p.reviewer() + " wrote: " + event.summary(), portal,
          List.of(p.author()), List.of(properties.securityGroup()));
      case IN_FORCE -> new Notice(null, "policy.in-force", what + " is in force",
          "Approved by " + p.reviewer() + "; new requests are decided by it from now on (" + event.summary()
              + "). Running requests keep the process version they started with.", portal, List.of(p.author()),
          List.of(properties.securityGroup()));
      case SUPERSEDED -> new Notice(null, "policy.proposal-superseded", what + " was not put in force",
          event.summary(), portal, List.of(p.author()), List.of(properties.securityGroup(), policyApprovers));
      case EXPIRED -> new Notice(null, "policy.proposal-expired", what + " expired",
          event.summary(), portal, List.of(p.author()), List.of(properties.securityGroup()));
    };
  }

  List<Notice> of(RequestEvent event) {
    AccessRequest r = event.request();
    List<Notice> notices = new ArrayList<>();
    switch (event.kind()) {
      case REVIEW_REMINDER -> notices.add(forApprovers(r, "review.reminder", "Reminder: review waiting",
          "This review has been waiting since " + when(r.getCreatedAt()) + ".", event.groups()));
      case REVIEW_ESCALATED -> notices.add(forApprovers(r, "review.escalated", "Escalated: review waiting",
          "Nobody has reviewed this request since " + when(r.getCreatedAt()) + "; it is escalated to you.",
          event.groups()));
      case STATUS_CHANGED -> statusNotices(r, notices);
      case ENDING_SOON -> notices.add(new Notice(r.getId(), "access.ending", subject("Access ends at "
          + when(r.getGrantEnd()), r), describe(r) + "\n\nThe access ends at " + when(r.getGrantEnd())
          + ". Need more time? Ask for it before then (POST /api/requests/" + r.getId() + "/extend); "
          + "it goes through policy again.", requestLink(r), people(r.getRequester(), r.getPrincipal()), List.of()));
    }
    return notices;
  }

  private void statusNotices(AccessRequest r, List<Notice> notices) {
    RequestStatus to = r.getStatus();
    switch (to) {
      case PENDING_REVIEW -> notices.add(forApprovers(r, "review.waiting", "Review waiting",
          r.getRequester() + " asks for this access." + reason(r), r.approverGroupList()));
      case DENIED -> notices.add(forRequester(r, "request.denied", "Denied",
          "Your request was denied" + (r.getReviewer() != null ? " by " + r.getReviewer() : " by policy") + "."
              + comment(r)));
      case REJECTED_OUT_OF_SCOPE -> notices.add(forRequester(r, "request.rejected", "Not allowed",
          "You may not request this access." + reason(r)));
      case SCHEDULED -> notices.add(forRequester(r, "request.scheduled", "Approved, starts " + when(r.getStartAt()),
          "Your request was approved; the access starts at " + when(r.getStartAt()) + "." + comment(r)));
      case ACTIVE -> {
        notices.add(new Notice(r.getId(), "access.granted", subject("Access granted until " + when(r.getGrantEnd()), r),
            describe(r) + "\n\nThe access is in AWS now and ends at " + when(r.getGrantEnd()) + "." + comment(r),
            requestLink(r), people(r.getRequester(), r.getPrincipal()), List.of()));
        if (Boolean.TRUE.equals(r.getBreakGlass())) {
          notices.add(new Notice(r.getId(), "breakglass.granted", subject("Break-glass access granted", r),
              describe(r) + "\n\nGranted at once as an emergency, without review. An approver reviews it now; "
                  + "if they reject it, it ends at once.", requestLink(r), List.of(),
              List.of(properties.securityGroup())));
        }
      }
      case REVOKED -> notices.add(new Notice(r.getId(), "access.ended", subject("Access ended", r),
          describe(r) + "\n\nThe access ended at " + when(r.getRevokedAt()) + "."
              + (r.getRevokeReason() != null ? "\nReason: " + r.getRevokeReason() : ""),
          requestLink(r), people(r.getRequester(), r.getPrincipal()), List.of()));
      case EXPIRED -> notices.add(forRequester(r, "request.expired", "Expired",
          "Nobody reviewed your request in time; ask again if you still need it."));
      case FAILED -> notices.add(forRequester(r, "request.failed", "Failed",
          "Airlock could not grant this access." + reason(r)));
      default -> { } // SUBMITTED, GRANTING, REVOKING, CANCELLED, SUPERSEDED: nothing anybody must act on
    }
  }

  /**
   * A change to Airlock's groups: while it waits, its reviewers (the security group, the
   * administrators) with what, for whom, by whom and why; once denied or made, its asker and its
   * user. A change of who holds Airlock's powers is a security event: the security group hears of
   * it when it is made too.
   */
  List<Notice> of(io.airlock.membership.MembershipChangeEvent event) {
    io.airlock.membership.MembershipChange c = event.change();
    String what = c.summary();
    String link = properties.baseUrl() + "/api/memberships/" + c.id();
    String about = "Change: " + what + "\nAsked by: " + c.requestedBy() + " at " + when(c.requestedAt())
        + "\nWhy: " + c.reason();
    return switch (c.status()) {
      case io.airlock.membership.MembershipChange.PENDING_REVIEW -> List.of(new Notice(null, "membership.waiting",
          "Review waiting: " + what, about + "\n\nMembership of Airlock's groups changes only with a second person. "
              + "Review it in Tasklist (task \"Review group membership change\"); the asker and " + c.userId()
              + " cannot.", properties.baseUrl() + "/camunda/app/tasklist/", List.of(), event.reviewers()));
      case io.airlock.membership.MembershipChange.DENIED -> List.of(new Notice(null, "membership.denied",
          "Denied: " + what, about + "\n\nDenied by " + c.decidedBy() + comment(c.decisionComment()) + ".", link,
          people(c.requestedBy(), c.userId()), List.of()));
      case io.airlock.membership.MembershipChange.CHANGED -> List.of(new Notice(null, "membership.changed",
          "Done: " + what, about + "\n\nApproved by " + c.decidedBy() + comment(c.decisionComment())
              + "; Airlock made the change at " + when(c.changedAt()) + ".", link, people(c.requestedBy(), c.userId()),
          List.of(properties.securityGroup())));
      default -> List.of();
    };
  }

  private static String comment(String comment) {
    return comment == null || comment.isBlank() ? "" : " (\"" + comment + "\")";
  }

  /**
   * The policy authors, once, after the first scan: the policy in force may not fit this
   * organization, and a starter policy drafted from what was found waits on the Policy page.
   */
  Notice of(io.airlock.inventory.FirstScan scan) {
    return new Notice(null, "policy.starter-ready", "A starter policy for your AWS organization is ready",
        "Airlock read your AWS organization at " + when(scan.finishedAt()) + ": " + scan.accounts() + " accounts and "
            + scan.permissionSets() + " permission sets.\n\n"
            + "The policy in force came with Airlock and names the demo organization's OUs, tags and permission "
            + "sets; where yours differ, nobody can ask for anything and nothing is approved on its own. A starter "
            + "policy drafted from what Airlock found (your OUs, production-looking accounts, administrator-like "
            + "permission sets) waits on the Policy page.\n\n"
            + "What to do now: open it, download its two tables for Camunda Modeler or propose it as it is. "
            + "Nothing of it is in force until a policy approver other than its author approves it.",
        properties.baseUrl() + "/policy", List.of(), List.of(policyAuthors));
  }

  /** The security group, when the audit watch finds the log broken: which entry, what is wrong, what to do. */
  Notice of(AuditChainBroken broken) {
    long seq = broken.firstBadSeq();
    return new Notice(null, "audit.chain-broken", "Audit log tampered with: entry " + seq,
        "Airlock's audit log does not verify from entry " + seq + " on: " + broken.problem() + ".\n"
            + "Found at " + when(broken.foundAt()) + " by Airlock's own check.\n\n"
            + "Each entry is chained to the one before it, so someone changed, deleted or cut back entries in "
            + "the database, or restored an older copy of it. Airlock keeps working and keeps recording; what the "
            + "log says from entry " + seq + " on cannot be trusted until this is explained.\n\n"
            + "What to do now: treat it as a security incident. Keep the database and its logs as they are; "
            + "compare the log with the copy shipped to S3 (the link below names the first entry that differs); "
            + "find who could write to the database at that time.",
        properties.baseUrl() + "/api/audit/verify", List.of(), List.of(properties.securityGroup()));
  }

  private Notice forApprovers(AccessRequest r, String kind, String what, String text, List<String> groups) {
    return new Notice(r.getId(), kind, subject(what, r), describe(r) + "\n\n" + text + "\nReview it in Tasklist:",
        properties.baseUrl() + "/camunda/app/tasklist/", List.of(), List.copyOf(groups));
  }

  private Notice forRequester(AccessRequest r, String kind, String what, String text) {
    return new Notice(r.getId(), kind, subject(what, r), describe(r) + "\n\n" + text, requestLink(r),
        List.of(r.getRequester()), List.of());
  }

  /** "Review waiting: alice · PowerUserAccess · staging (333333333333) · 30 min". */
  private String subject(String what, AccessRequest r) {
    return what + ": " + labels.title(r);
  }

  private String describe(AccessRequest r) {
    return "Request " + r.getId() + "\n"
        + "Requester: " + r.getRequester() + "\n"
        + "Principal: " + r.getPrincipal() + "\n"
        + "Account: " + labels.account(r.getTarget()) + "\n"
        + "Permission: " + r.getPermission() + "\n"
        + "Duration: " + RequestLabels.human(r.parsedDuration()) + "\n"
        + (r.getScopeName() != null ? "Scope: " + r.getScopeName() + "\n" : "")
        + "Justification: " + r.getJustification();
  }

  private String requestLink(AccessRequest r) {
    return properties.baseUrl() + "/api/requests/" + r.getId();
  }

  private static String reason(AccessRequest r) {
    return r.getDecisionReason() == null ? "" : "\nReason: " + r.getDecisionReason();
  }

  private static String comment(AccessRequest r) {
    return r.getReviewComment() == null || r.getReviewComment().isBlank() ? ""
        : "\nComment from " + r.getReviewer() + ": " + r.getReviewComment();
  }

  private static List<String> people(String... ids) {
    return List.copyOf(new LinkedHashSet<>(java.util.Arrays.stream(ids).filter(java.util.Objects::nonNull).toList()));
  }

  private static String when(Instant at) {
    return at == null ? "an unknown time" : WHEN.format(at);
  }

}
