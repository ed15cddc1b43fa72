package io.airlock.process.policy;

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
public class DecisionAuditPlugin extends AbstractProcessEnginePlugin {

  private static final ThreadLocal<String> REQUEST = new ThreadLocal<>();
  /** Evaluations of the current {@link #capturing} call on this thread. */
  private static final ThreadLocal<List<Evaluation>> CAPTURED = new ThreadLocal<>();

  /** One evaluated decision table: which deployed definition, the rules that matched (1-based index) and outputs. */
  record Evaluation(String decisionKey, String definitionId, int version, List<MatchedRule> matchedRules) {}

  /** A matched rule: its id, its position in the table (1 = first row), its outputs. */
  record MatchedRule(String ruleId, int index, Map<String, Object> outputs) {}

  /** Runs {@code work} and returns the evaluations it made on this thread, with its result. */
  static <T> Map.Entry<T, List<Evaluation>> capturing(java.util.function.Supplier<T> work) {
    List<Evaluation> previous = CAPTURED.get();
    List<Evaluation> mine = new ArrayList<>();
    CAPTURED.set(mine);
    try {
      T result = work.get();
      return new java.util.AbstractMap.SimpleImmutableEntry<>(result, List.copyOf(mine));
    } finally {
      if (previous == null) {
        CAPTURED.remove();
      } else {
        CAPTURED.set(previous);
      }
    }
  }

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
    // The process engine's decisions (scope and auto-approval, every request) on the FEEL engine
    // that parses each cell once: Camunda's parses every cell of every evaluation again, which
    // was 40 % of a node's CPU per access lifecycle (docs/benchmark.md, "Full lifecycles").
    // The engine keeps a factory set here (it builds its default only when none is set).
    if (dmn.getFeelEngineFactory() == null) {
      dmn.setFeelEngineFactory(new CachingFeelEngineFactory());
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
    if (event.getDecisionResult().getDecision() instanceof org.camunda.bpm.engine.repository.DecisionDefinition d) {
      details.put("decisionDefinitionId", d.getId());
      details.put("decisionVersion", d.getVersion());
      List<Evaluation> captured = CAPTURED.get();
      if (captured != null) {
        captured.add(new Evaluation(d.getKey(), d.getId(), d.getVersion(), matched(event.getDecisionResult())));
      }
    }
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

  static List<MatchedRule> matched(DmnDecisionLogicEvaluationEvent e) {
    List<MatchedRule> out = new ArrayList<>();
    if (e instanceof DmnDecisionTableEvaluationEvent table) {
      List<String> ids = ruleIds(e.getDecision());
      for (DmnEvaluatedDecisionRule rule : table.getMatchingRules()) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        rule.getOutputEntries().forEach((k, v) -> outputs.put(k, v.getValue().getValue()));
        out.add(new MatchedRule(rule.getId(), ids.indexOf(rule.getId()) + 1, outputs));
      }
    }
    return out;
  }

  /** The ids of a decision table's rules, in table order. */
  public static List<String> ruleIds(org.camunda.bpm.dmn.engine.DmnDecision decision) {
    if (decision.getDecisionLogic() instanceof org.camunda.bpm.dmn.engine.impl.DmnDecisionTableImpl t) {
      return t.getRules().stream().map(org.camunda.bpm.dmn.engine.impl.DmnDecisionTableRuleImpl::getId).toList();
    }
    return List.of();
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
