package io.airlock.proposal;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** What the proposal use cases need of the process engine (implemented at the engine's edge). */
public interface ProposalEngine {

  /**
   * Starts the review of a proposal ({@code bpmn/policy-proposal.bpmn}); returns the instance id.
   *
   * @param files the files, one per line, for the review form
   */
  String startReview(long proposalId, String author, String title, String files);

  /** The files a deployment holds, in name order. */
  List<ProposedFile> files(String deploymentId);

  /** For each key, the latest version of its process or decision definition (0: none). */
  Map<String, Integer> versionsInForce(Collection<String> keys);

  /**
   * Deploys the files as {@code author} (signed in, as Modeler's deploy is), so the deploy hook
   * checks them and records a proposal by that author; returns the engine's deployment id.
   */
  String deployAs(io.airlock.request.Caller author, String name, String source, List<ProposedFile> files);

  /** Deploys the files as Airlock (so they are in force), named after the proposal. */
  InForce deploy(long proposalId, List<ProposedFile> files);

  /**
   * Completes the proposal's review task as {@code reviewer}, so the task's guard records the
   * decision as on every other surface; false when no review task waits.
   */
  boolean completeReview(String processInstanceId, io.airlock.request.Caller reviewer, String decision,
      String comment);

  /** The deployment that put a proposal in force, and its definitions as "key:version". */
  record InForce(String deploymentId, List<String> definitions) {}
}
