package io.airlock.web;

import io.airlock.identity.CurrentUser;
import io.airlock.proposal.PolicyProposal;
import io.airlock.proposal.PolicyProposals;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Policy proposals: what policy authors deployed, waiting for (or decided by) a second person. */
@RestController
@Tag(name = "Policy")
class ProposalController {

  private final PolicyProposals proposals;

  ProposalController(PolicyProposals proposals) {
    this.proposals = proposals;
  }

  /** A proposal as people read it. */
  record ProposalView(long id, String status, String author, Instant proposedAt, List<Map<String, Object>> files,
      String simulation, String reviewer, Instant reviewedAt, String reviewComment, Instant inForceAt,
      String inForceDeploymentId, String outcomeReason) {

    static ProposalView of(PolicyProposal p) {
      return new ProposalView(p.id(), p.status(), p.author(), p.proposedAt(), PolicyProposals.files(p),
          PolicyProposals.simulationText(p), p.reviewer(), p.reviewedAt(), p.reviewComment(), p.inForceAt(),
          p.inForceDeploymentId(), p.outcomeReason());
    }
  }

  /** A policy approver's decision. */
  record Decision(String decision, String comment) {}

  @GetMapping("/api/policies/proposals")
  @Operation(summary = "Policy proposals, newest first (policy authors and approvers, auditors, security, admins)")
  List<ProposalView> list(@RequestParam(defaultValue = "50") int limit, Authentication auth) {
    return proposals.newest(CurrentUser.of(auth), limit).stream().map(ProposalView::of).toList();
  }

  @GetMapping("/api/policies/proposals/{id}")
  @Operation(summary = "One policy proposal: its files, what it would change for past requests, its review")
  ProposalView get(@PathVariable long id, Authentication auth) {
    return ProposalView.of(proposals.get(CurrentUser.of(auth), id));
  }

  @PostMapping("/api/policies/proposals/{id}/review")
  @Operation(summary = "Approve or reject a policy proposal (policy approvers, never its author)",
      description = "Body {\"decision\": \"APPROVE\"|\"REJECT\", \"comment\": \"...\"}; a comment is required to "
          + "reject. The same review task as in Tasklist is completed as you. 403 for the author and for anyone "
          + "outside the policy approvers; 409 when it no longer waits.")
  ProposalView review(@PathVariable long id, @RequestBody(required = false) Decision body, Authentication auth) {
    Decision d = body == null ? new Decision(null, null) : body;
    return ProposalView.of(proposals.decide(CurrentUser.of(auth), id, d.decision(), d.comment()));
  }
}
