package io.airlock.web;

import io.airlock.identity.CurrentUser;
import io.airlock.proposal.PolicyProposal;
import io.airlock.proposal.PolicyProposals;
import io.airlock.proposal.ProposedFile;
import io.airlock.proposal.StarterPolicies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
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
  private final StarterPolicies starters;

  ProposalController(PolicyProposals proposals, StarterPolicies starters) {
    this.proposals = proposals;
    this.starters = starters;
  }

  /** The starter policy drafted from the last scan, in words, with its files' names. */
  record StarterView(Instant scannedAt, int accounts, int permissionSets, List<String> summary, List<String> files,
      String next) {}

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

  @GetMapping("/api/policies/starter")
  @Operation(summary = "The starter policy Airlock drafted from the last scan (policy authors and approvers, "
      + "auditors, security, admins)", description = "What the scan found, in words: which accounts look like "
      + "production and why, which permission sets are administrator-like or read-only; and the two decision "
      + "tables' file names. 404 before the first scan.")
  StarterView starter(Authentication auth) {
    StarterPolicies.Draft d = starters.draft(CurrentUser.of(auth));
    return new StarterView(d.scannedAt(), d.accounts(), d.permissionSets(), d.policy().summary(),
        d.policy().files().stream().map(ProposedFile::name).toList(),
        "A policy author downloads the tables (GET /api/policies/starter/{file}), edits them in Camunda Modeler "
            + "and deploys them there, or proposes them as they are (POST /api/policies/starter/propose); a "
            + "policy approver reviews the proposal in Tasklist before anything changes.");
  }

  @GetMapping("/api/policies/starter/{file}")
  @Operation(summary = "One table of the starter policy (access-scopes.dmn or auto-approval.dmn), for Camunda "
      + "Modeler")
  ResponseEntity<byte[]> starterFile(@PathVariable String file, Authentication auth) {
    ProposedFile f = starters.file(CurrentUser.of(auth), file);
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_XML)
        .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + f.name() + "\"").body(f.bytes());
  }

  @PostMapping("/api/policies/starter/propose")
  @Operation(summary = "Propose the starter policy as it is (policy authors)", description = "The same as "
      + "deploying its two tables from Camunda Modeler: you are the proposal's author, it is simulated against "
      + "past requests and waits for a policy approver. 201 with the proposal.")
  ResponseEntity<ProposalView> proposeStarter(Authentication auth) {
    return ResponseEntity.status(HttpStatus.CREATED).body(ProposalView.of(starters.propose(CurrentUser.of(auth))));
  }
}
