package io.airlock.policy;

import io.airlock.audit.AuditLog;
import io.airlock.request.RequestService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.dmn.engine.delegate.DmnDecisionEvaluationEvent;
import org.camunda.bpm.dmn.engine.delegate.DmnDecisionEvaluationListener;
import org.camunda.bpm.dmn.engine.delegate.DmnDecisionLogicEvaluationEvent;
import org.camunda.bpm.dmn.engine.delegate.DmnDecisionTableEvaluationEvent;
import org.camunda.bpm.dmn.engine.delegate.DmnEvaluatedDecisionRule;
import org.camunda.bpm.dmn.engine.delegate.DmnEvaluatedInput;
import org.camunda.bpm.dmn.engine.impl.DefaultDmnEngineConfiguration;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.BpmnExecutionContext;
import org.camunda.bpm.engine.impl.context.Context;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * Audits every policy decision with its inputs, matched rules and outputs, in the transaction
 * of the business rule task that evaluated it.
 */
@Component
class DecisionAuditPlugin extends AbstractProcessEnginePlugin {

  private static final ThreadLocal<String> REQUEST = new ThreadLocal<>();

  private final AuditLog audit;

  /** Runs evaluations for the request {@code requestId}: their audit entries name it. */
  static <T> T forRequest(String requestId, java.util.function.Supplier<T> work) {
    String previous = REQUEST.get();
    REQUEST.set(requestId);
    try {
      return work.get();
    } finally {
      if (previous == null) {
        REQUEST.remove();
      } else {
        REQUEST.set(previous);
      }
    }
  }

  DecisionAuditPlugin(@Lazy AuditLog audit) {
    this.audit = audit;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    DefaultDmnEngineConfiguration dmn = configuration.getDmnEngineConfiguration();
    if (dmn == null) {
      dmn = (DefaultDmnEngineConfiguration) DmnEngineConfiguration.createDefaultDmnEngineConfiguration();
      configuration.setDmnEngineConfiguration(dmn);
    }
    List<DmnDecisionEvaluationListener> listeners = new ArrayList<>();
    if (dmn.getCustomPostDecisionEvaluationListeners() != null) {
      listeners.addAll(dmn.getCustomPostDecisionEvaluationListeners());
    }
    listeners.add(this::record);
    dmn.setCustomPostDecisionEvaluationListeners(listeners);
  }

  private void record(DmnDecisionEvaluationEvent event) {
    BpmnExecutionContext context = Context.getBpmnExecutionContext();
    DelegateExecution execution = context == null ? null : context.getExecution();
    String requestId = REQUEST.get() != null ? REQUEST.get()
        : execution == null ? null : execution.getProcessBusinessKey();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("decision", event.getDecisionResult().getDecision().getKey());
    details.put("decisionName", event.getDecisionResult().getDecision().getName());
    details.put("evaluation", describe(event.getDecisionResult()));
    List<Object> required = new ArrayList<>();
    for (DmnDecisionLogicEvaluationEvent e : event.getRequiredDecisionResults()) {
      required.add(describe(e));
    }
    if (!required.isEmpty()) {
      details.put("requiredDecisions", required);
    }
    audit.record(RequestService.SYSTEM_ACTOR, "policy.decided", requestId, details);
  }

  private static Map<String, Object> describe(DmnDecisionLogicEvaluationEvent e) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("decision", e.getDecision().getKey());
    if (e instanceof DmnDecisionTableEvaluationEvent table) {
      Map<String, Object> inputs = new LinkedHashMap<>();
      for (DmnEvaluatedInput input : table.getInputs()) {
        inputs.put(input.getInputVariable() != null && !"cellInput".equals(input.getInputVariable())
            ? input.getInputVariable() : input.getName(), String.valueOf(input.getValue().getValue()));
      }
      d.put("inputs", inputs);
      List<Map<String, Object>> rules = new ArrayList<>();
      for (DmnEvaluatedDecisionRule rule : table.getMatchingRules()) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ruleId", rule.getId());
        Map<String, Object> outputs = new LinkedHashMap<>();
        rule.getOutputEntries().forEach((k, v) -> outputs.put(k, String.valueOf(v.getValue().getValue())));
        r.put("outputs", outputs);
        rules.add(r);
      }
      d.put("matchedRules", rules);
    }
    return d;
  }
}
