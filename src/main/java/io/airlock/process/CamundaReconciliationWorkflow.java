package io.airlock.process;

import io.airlock.request.ReconciliationWorkflow;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.stereotype.Component;

/** {@link ReconciliationWorkflow} on the Camunda engine, started as the signed-in user. */
@Component
class CamundaReconciliationWorkflow implements ReconciliationWorkflow {

  private final RuntimeService runtime;
  private final IdentityService identity;

  CamundaReconciliationWorkflow(RuntimeService runtime, IdentityService identity) {
    this.runtime = runtime;
    this.identity = identity;
  }

  @Override
  public String start(String userId, List<String> groups) {
    return EngineIdentity.as(identity, userId, groups,
        () -> runtime.startProcessInstanceByKey(InventoryScanModel.PROCESS_KEY).getId());
  }
}
