package io.airlock.process;

import io.airlock.request.ProcessStep;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.impl.identity.Authentication;

/** A process step as the use cases see it: request, process instance, signed-in user. */
final class Steps {

  private Steps() {}

  static ProcessStep of(DelegateExecution execution, IdentityService identity) {
    return new ProcessStep(execution.getProcessBusinessKey(), execution.getProcessInstanceId(), signedIn(identity));
  }

  /** The user signed in on the engine call, or null (jobs, timers, Airlock itself). */
  static String signedIn(IdentityService identity) {
    Authentication auth = identity.getCurrentAuthentication();
    return auth == null ? null : auth.getUserId();
  }

  /** The signed-in user with their groups (the webapps put them on the authentication), or null. */
  static io.airlock.request.Caller caller(IdentityService identity) {
    Authentication auth = identity.getCurrentAuthentication();
    if (auth == null || auth.getUserId() == null) {
      return null;
    }
    java.util.List<String> groups = auth.getGroupIds() != null && !auth.getGroupIds().isEmpty() ? auth.getGroupIds()
        : CamundaGroups.of(identity, auth.getUserId());
    return new io.airlock.request.Caller(auth.getUserId(), groups);
  }
}
