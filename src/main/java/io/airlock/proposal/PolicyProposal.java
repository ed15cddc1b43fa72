package io.airlock.proposal;

import java.time.Instant;

/**
 * One row of {@code policy_proposal}: a model deployed by a policy author, not in force until a
 * policy approver who is not its author approves it. JSON columns as stored.
 *
 * @param files JSON list of {@code {name, sha256, definitions}}
 * @param baseline JSON map of definition key to the version in force when proposed (0: none)
 * @param simulation JSON of {@link ProposalSimulator.Simulation}, once simulated
 */
public record PolicyProposal(long id, String status, String author, Instant proposedAt, String deploymentId,
    String deploymentName, String source, String files, String baseline, String processInstanceId,
    String simulation, String reviewer, Instant reviewedAt, String reviewComment, String inForceDeploymentId,
    Instant inForceAt, String outcomeReason) {

  /** Where a proposal stands. */
  public enum Status {
    /** Waiting for a policy approver; nothing of it is in force. */
    PROPOSED,
    /** Approved by a policy approver; being put in force. */
    APPROVED,
    /** Rejected by a policy approver; the policy in force stays. */
    REJECTED,
    /** In force: new requests are decided by it. */
    IN_FORCE,
    /** The policy in force changed after it was proposed; it was not put in force. */
    SUPERSEDED,
    /** Nobody reviewed it in time. */
    EXPIRED
  }

  public Status state() {
    return Status.valueOf(status);
  }
}
