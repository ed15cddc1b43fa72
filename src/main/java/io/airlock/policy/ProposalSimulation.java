package io.airlock.policy;

import io.airlock.proposal.ProposalSimulator;
import io.airlock.proposal.ProposedFile;
import java.util.List;
import org.springframework.stereotype.Component;

/** A policy proposal's decision tables replayed by {@link PolicySimulation}, for its reviewers. */
@Component
class ProposalSimulation implements ProposalSimulator {

  private static final int EXAMPLES = 3;

  private final PolicySimulation simulation;
  private final PolicyDecisions decisions;

  ProposalSimulation(PolicySimulation simulation, PolicyDecisions decisions) {
    this.simulation = simulation;
    this.decisions = decisions;
  }

  @Override
  public Simulation simulate(List<ProposedFile> dmnFiles) {
    PolicySimulation.Report r = simulation.forProposal(dmnFiles.stream().map(ProposedFile::bytes).toList());
    if (r == null) {
      return null;
    }
    List<String> summary = new java.util.ArrayList<>();
    for (PolicySimulation.Flip f : r.flips()) {
      List<String> examples = f.requestIds().stream().limit(EXAMPLES).map(this::example).toList();
      summary.add(f.count() + (f.count() == 1 ? " request would now be " : " requests would now be ")
          + PolicySimulation.outcomeWords(f.to()) + " instead of " + PolicySimulation.outcomeWords(f.from())
          + ", e.g. " + String.join("; ", examples) + (f.count() > examples.size() ? "; …" : ""));
    }
    for (PolicySimulation.Flip f : r.reviewers()) {
      List<String> examples = f.requestIds().stream().limit(EXAMPLES).map(this::example).toList();
      summary.add(f.count() + (f.count() == 1 ? " request would now be reviewed by " : " requests would now be "
          + "reviewed by ") + (f.to().isEmpty() ? "nobody" : f.to()) + " instead of "
          + (f.from().isEmpty() ? "nobody" : f.from()) + ", e.g. " + String.join("; ", examples)
          + (f.count() > examples.size() ? "; …" : ""));
    }
    r.rules().stream().filter(c -> c.newlyMatches() > 0 || c.noLongerMatches() > 0).forEach(c -> summary.add(
        c.decision() + " row " + c.row() + (c.description() == null || c.description().isBlank() ? "" : " ("
            + c.description() + ")") + ": newly matches " + c.newlyMatches() + ", no longer matches "
            + c.noLongerMatches()));
    return new Simulation(r.compared(), r.changed(), summary,
        r.flips().stream().map(f -> new Flip(f.from(), f.to(), f.count(), f.requestIds())).toList(),
        r.errors().stream().map(e -> "request " + e.requestId() + " (" + e.decision() + "): " + e.message()).toList());
  }

  /** "erin: PowerUserAccess in sandbox (222222222222), 1 h", from what the scopes table was given. */
  private String example(String requestId) {
    return decisions.forRequest(requestId).stream()
        .filter(d -> Decisions.ACCESS_SCOPES.equals(d.decision())).findFirst()
        .map(d -> d.inputs().get("principal") + ": " + d.inputs().get("permission") + " in "
            + (d.inputs().get("targetName") == null ? "" : d.inputs().get("targetName") + " ")
            + "(" + d.inputs().get("target") + ")"
            + (d.inputs().get("durationText") == null ? "" : ", " + d.inputs().get("durationText")))
        .orElse("request " + requestId);
  }
}
