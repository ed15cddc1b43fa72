package io.airlock.process;

import io.airlock.request.ReconciliationProcess;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.stereotype.Component;

/** {@link ReconciliationProcess} on the Camunda engine, started as the signed-in user. */
@Component
class CamundaReconciliationProcess implements ReconciliationProcess {

  private final RuntimeService runtime;
  private final IdentityService identity;

  CamundaReconciliationProcess(RuntimeService runtime, IdentityService identity) {
    this.runtime = runtime;
    this.identity = identity;
  }

  @Override
  public String start(String userId, List<String> groups) {
    return EngineIdentity.as(identity, userId, groups,
        () -> runtime.startProcessInstanceByKey(InventoryScanProcess.PROCESS_KEY).getId());
  }
}
