package io.airlock.membership;

import java.util.List;

/**
 * A membership change was asked for, decided or made; published in the change's transaction,
 * told to people after it commits (the reviewers when it waits; the asker and the user after).
 *
 * @param reviewers the groups that review it (the security group, the administrators)
 */
public record MembershipChangeEvent(MembershipChange change, List<String> reviewers) {}
