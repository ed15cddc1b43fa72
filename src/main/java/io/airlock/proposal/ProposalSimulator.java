package io.airlock.proposal;

import java.util.List;

/** Replays past requests against a proposal's decision tables (implemented by the policy simulation). */
public interface ProposalSimulator {

  /**
   * What the proposal's decision tables would have decided for the last requests, compared with
   * what was decided; {@code null} when none of the files is a table Airlock evaluates.
   */
  Simulation simulate(List<ProposedFile> dmnFiles);

  /**
   * @param compared requests replayed
   * @param changed requests whose outcome would differ
   * @param summary sentences for people ("3 requests would flip from MANUAL to APPROVE")
   * @param flips outcome changes with example request ids
   * @param errors requests the proposal could not evaluate, and why
   */
  record Simulation(int compared, int changed, List<String> summary, List<Flip> flips, List<String> errors) {}

  /** Requests whose outcome goes from {@code from} to {@code to}. */
  record Flip(String from, String to, int count, List<String> requestIds) {}
}
