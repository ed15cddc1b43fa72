package io.airlock.process.policy;

import io.airlock.policy.DecisionTables;
import io.airlock.process.EngineIdentity;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;
import org.camunda.bpm.dmn.engine.impl.DefaultDmnEngineConfiguration;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.model.dmn.Dmn;
import org.camunda.bpm.model.dmn.DmnModelInstance;
import org.camunda.bpm.model.dmn.instance.Decision;
import org.camunda.bpm.model.dmn.instance.DecisionTable;
import org.camunda.bpm.model.dmn.instance.Rule;
import org.springframework.stereotype.Component;

/**
 * {@link DecisionTables} on the DMN engine alone (no history, no audit entry), with Airlock's
 * FEEL cache. The deployed tables are read as Airlock and parsed once per version.
 */
@Component
class DmnDecisionTables implements DecisionTables {

  private static final ThreadLocal<List<String>> MATCHED = ThreadLocal.withInitial(List::of);

  private final DmnEngine engine;
  private final RepositoryService repository;
  private final IdentityService identity;
  private final Map<String, Table> deployed = new ConcurrentHashMap<>();

  DmnDecisionTables(RepositoryService repository, IdentityService identity) {
    this.repository = repository;
    this.identity = identity;
    DefaultDmnEngineConfiguration config = (DefaultDmnEngineConfiguration)
        DmnEngineConfiguration.createDefaultDmnEngineConfiguration();
    config.setFeelEngineFactory(new CachingFeelEngineFactory());
    config.customPostDecisionTableEvaluationListeners(List.of(event -> MATCHED.set(
        event.getMatchingRules().stream().map(r -> r.getId()).toList())));
    this.engine = config.buildEngine();
  }

  @Override
  public Table latest(String key) {
    DecisionDefinition d = asAirlock(() -> repository.createDecisionDefinitionQuery().decisionDefinitionKey(key)
        .latestVersion().singleResult());
    if (d == null) {
      throw new IllegalStateException("No decision '" + key + "' is deployed");
    }
    return deployed.computeIfAbsent(d.getId(), id -> asAirlock(() -> {
      try (InputStream in = repository.getDecisionModel(id)) {
        byte[] xml = in.readAllBytes();
        Table t = parse(xml).get(key);
        return new Table(key, t.name(), d.getId(), d.getVersion(), t.parsed(), t.rules());
      } catch (java.io.IOException e) {
        throw new IllegalStateException("Cannot read decision " + id, e);
      }
    }));
  }

  @Override
  public Map<String, Table> parse(byte[] xml) {
    DmnModelInstance model;
    try {
      model = Dmn.readModelFromStream(new ByteArrayInputStream(xml));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a DMN 1.3 model: " + DecisionTables.rootMessage(e));
    }
    List<DmnDecision> decisions;
    try {
      decisions = engine.parseDecisions(model);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the DMN engine cannot use it: " + DecisionTables.rootMessage(e));
    }
    Map<String, Table> tables = new LinkedHashMap<>();
    for (DmnDecision d : decisions) {
      if (!d.isDecisionTable()) {
        continue;
      }
      List<RuleInfo> rules = new ArrayList<>();
      Decision element = model.getModelElementById(d.getKey());
      if (element != null && element.getExpression() instanceof DecisionTable table) {
        int row = 1;
        for (Rule r : table.getRules()) {
          rules.add(new RuleInfo(r.getId(), row++, r.getDescription() == null ? null
              : r.getDescription().getTextContent().trim()));
        }
      }
      tables.put(d.getKey(), new Table(d.getKey(), d.getName(), null, null, d, List.copyOf(rules)));
    }
    return tables;
  }

  @Override
  public Result evaluate(Table table, Map<String, Object> variables) {
    MATCHED.remove();
    DmnDecisionTableResult result = engine.evaluateDecisionTable((DmnDecision) table.parsed(), Variables.fromMap(variables));
    org.camunda.bpm.dmn.engine.DmnDecisionRuleResult first = result.isEmpty() ? null : result.get(0);
    Map<String, Object> outputs = first == null ? Map.<String, Object>of() : first.getEntryMap();
    return new Result(outputs, MATCHED.get());
  }

  private <T> T asAirlock(Supplier<T> work) {
    return EngineIdentity.asAirlock(identity, work);
  }
}
