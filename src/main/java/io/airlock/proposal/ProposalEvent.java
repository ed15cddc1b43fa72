package io.airlock.proposal;

/**
 * Something happened to a policy proposal that people should hear of (published after the
 * change commits): the policy approvers and the security group when it waits for review, its
 * author and the security group when it is decided and when it takes effect.
 */
public record ProposalEvent(PolicyProposal proposal, Kind kind, String summary, String reviewers) {

  public enum Kind { WAITING_FOR_REVIEW, APPROVED, REJECTED, IN_FORCE, SUPERSEDED, EXPIRED }
}
