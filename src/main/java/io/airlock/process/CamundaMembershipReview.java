package io.airlock.process;

import io.airlock.membership.MembershipChange;
import io.airlock.membership.MembershipReview;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.springframework.stereotype.Component;

/** Starts the review of a membership change, as Airlock itself (whoever asked may not start processes). */
@Component
class CamundaMembershipReview implements MembershipReview {

  private final RuntimeService runtime;
  private final IdentityService identity;

  CamundaMembershipReview(RuntimeService runtime, IdentityService identity) {
    this.runtime = runtime;
    this.identity = identity;
  }

  @Override
  public String start(MembershipChange change, List<String> reviewerGroups) {
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put(GroupMembershipModel.Variables.USER, change.userId());
    variables.put(GroupMembershipModel.Variables.GROUP, change.groupId());
    variables.put(GroupMembershipModel.Variables.CHANGE, change.change());
    variables.put(GroupMembershipModel.Variables.REASON, change.reason());
    variables.put(GroupMembershipModel.Variables.REQUESTED_BY, change.requestedBy());
    variables.put(GroupMembershipModel.Variables.REVIEWER_GROUPS, String.join(",", reviewerGroups));
    return EngineIdentity.asAirlock(identity, () -> runtime.startProcessInstanceByKey(GroupMembershipModel.PROCESS_KEY,
        change.id(), variables).getId());
  }
}
