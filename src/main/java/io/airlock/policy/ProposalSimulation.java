package io.airlock.policy;

import io.airlock.proposal.ProposalSimulator;
import io.airlock.proposal.ProposedFile;
import java.util.List;
import org.springframework.stereotype.Component;

/** A policy proposal's decision tables replayed by {@link PolicySimulation}, for its reviewers. */
@Component
class ProposalSimulation implements ProposalSimulator {

  private final PolicySimulation simulation;

  ProposalSimulation(PolicySimulation simulation) {
    this.simulation = simulation;
  }

  @Override
  public Simulation simulate(List<ProposedFile> dmnFiles) {
    PolicySimulation.Report r = simulation.forProposal(dmnFiles.stream().map(ProposedFile::bytes).toList());
    if (r == null) {
      return null;
    }
    return new Simulation(r.compared(), r.changed(), r.summary(),
        r.flips().stream().map(f -> new Flip(f.from(), f.to(), f.count(), f.requestIds())).toList(),
        r.errors().stream().map(e -> "request " + e.requestId() + " (" + e.decision() + "): " + e.message()).toList());
  }
}
