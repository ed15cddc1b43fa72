package io.airlock.process;

import static io.airlock.process.AccessRequestProcess.Variables.*;

import io.airlock.request.Caller;
import io.airlock.request.RequestService;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.task.IdentityLink;
import org.camunda.bpm.engine.task.IdentityLinkType;
import org.springframework.stereotype.Component;

/**
 * Complete listener of "Review access request". Runs however the task is completed
 * (Tasklist, Airlock's REST API, the engine REST API): the signed-in user must not be the
 * requester and must be in one of the task's candidate groups. Throwing rolls the completion
 * back, and Tasklist shows the message.
 */
@Component("reviewGuard")
class ReviewGuard implements TaskListener {

  private final RequestService requests;
  private final IdentityService identity;

  ReviewGuard(RequestService requests, IdentityService identity) {
    this.requests = requests;
    this.identity = identity;
  }

  @Override
  public void notify(DelegateTask task) {
    Authentication auth = identity.getCurrentAuthentication();
    Caller reviewer = auth == null || auth.getUserId() == null ? null
        : new Caller(auth.getUserId(), groupsOf(auth));
    List<String> candidateGroups = new ArrayList<>();
    for (IdentityLink link : task.getCandidates()) {
      if (IdentityLinkType.CANDIDATE.equals(link.getType()) && link.getGroupId() != null) {
        candidateGroups.add(link.getGroupId());
      }
    }
    // The business key, not a variable: variables can be set by whoever completes the task.
    String requestId = task.getExecution().getProcessBusinessKey();
    requests.recordReview(requestId, reviewer, candidateGroups,
        (String) task.getVariable(REVIEW_OUTCOME), (String) task.getVariable(REVIEW_COMMENT));
  }

  private List<String> groupsOf(Authentication auth) {
    // The webapps put the user's groups on the authentication; fall back to the identity store.
    if (auth.getGroupIds() != null && !auth.getGroupIds().isEmpty()) {
      return auth.getGroupIds();
    }
    return CamundaGroups.of(identity, auth.getUserId());
  }
}
