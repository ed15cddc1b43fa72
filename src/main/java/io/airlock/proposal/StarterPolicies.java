package io.airlock.proposal;

import io.airlock.inventory.InventoryService;
import io.airlock.inventory.ScanSummary;
import io.airlock.request.Caller;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.RequestNotFoundException;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * The starter policy (README, "Policy"): drafted from the last scan for whoever may read policy,
 * and proposed by a policy author who adopts it as it is (or downloads it, edits it in Camunda
 * Modeler and deploys it there). Airlock never proposes it on its own: a proposal has a person as
 * its author, so a policy approver's review is still the second pair of eyes.
 */
@Service
public class StarterPolicies {

  /** The deployment source of a starter policy proposed as it is. */
  public static final String SOURCE = "airlock-starter-policy";

  private final InventoryService inventory;
  private final PolicyProposals proposals;
  private final ProposalEngine engine;
  /** The draft of the last scan read (each node drafts its own; a draft is a pure function of the scan). */
  private volatile Draft drafted;

  StarterPolicies(InventoryService inventory, PolicyProposals proposals, ProposalEngine engine) {
    this.inventory = inventory;
    this.proposals = proposals;
    this.engine = engine;
  }

  /** The draft, and the scan it was drafted from. */
  public record Draft(StarterPolicy policy, Instant scannedAt, int accounts, int permissionSets) {}

  /** The draft from the last scan; 404 before the first. */
  public Draft draft(Caller caller) {
    if (caller == null || !caller.inAnyGroup(proposals.readers())) {
      throw new ForbiddenActionException("Only policy authors, policy approvers, auditors, security and admins ("
          + String.join(", ", proposals.readers()) + ") read the starter policy");
    }
    ScanSummary scan = inventory.summary();
    if (scan == null || scan.finishedAt() == null) { // what scanned() reads, without a second query
      throw new RequestNotFoundException("Airlock has not read your AWS organization yet, so there is no starter "
          + "policy: an operator or admin starts a scan (POST /api/inventory/scan, or the inventory page)", true);
    }
    Draft last = drafted;
    if (last != null && last.scannedAt().equals(scan.finishedAt())) {
      return last; // the same scan drafts the same policy: read the inventory once per scan, not per page view
    }
    Draft fresh = new Draft(StarterPolicy.from(inventory.accounts(), inventory.permissionSets()), scan.finishedAt(),
        scan.accounts(), scan.permissionSets());
    drafted = fresh;
    return fresh;
  }

  /**
   * Proposes the draft as it is, with {@code author} as its author: the same deploy as Modeler's,
   * so the same rules, audit, simulation and review apply. Returns the proposal.
   */
  public PolicyProposal propose(Caller author) {
    Draft draft = draft(author);
    if (!author.groups().contains(proposals.authorGroup())) {
      throw new ForbiddenActionException("Only members of " + proposals.authorGroup() + " propose policy; "
          + author.userId() + " is not one");
    }
    String deploymentId = engine.deployAs(author, "starter-policy", SOURCE, draft.policy().files());
    return proposals.byDeployment(deploymentId);
  }

  /** One file of the draft, for Camunda Modeler. */
  public ProposedFile file(Caller caller, String name) {
    List<ProposedFile> files = draft(caller).policy().files();
    return files.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(() -> new RequestNotFoundException(
        "The starter policy has no file " + name + "; it has " + String.join(", ", files.stream()
            .map(ProposedFile::name).toList()), true));
  }
}
