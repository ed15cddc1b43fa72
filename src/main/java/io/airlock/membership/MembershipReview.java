package io.airlock.membership;

/** Port: starts the review of a filed change (bpmn/group-membership-change.bpmn); returns the instance id. */
public interface MembershipReview {

  String start(MembershipChange change, java.util.List<String> reviewerGroups);
}
