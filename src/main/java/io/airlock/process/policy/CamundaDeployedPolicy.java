package io.airlock.process.policy;

import io.airlock.policy.DeployedPolicy;
import io.airlock.policy.PolicyReading.Table;
import io.airlock.policy.PolicyReading.TableRule;
import io.airlock.process.EngineIdentity;
import io.airlock.request.Caller;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.model.dmn.Dmn;
import org.camunda.bpm.model.dmn.DmnModelInstance;
import org.camunda.bpm.model.dmn.instance.Decision;
import org.camunda.bpm.model.dmn.instance.DecisionTable;
import org.camunda.bpm.model.dmn.instance.Input;
import org.camunda.bpm.model.dmn.instance.InputEntry;
import org.camunda.bpm.model.dmn.instance.Output;
import org.camunda.bpm.model.dmn.instance.OutputEntry;
import org.camunda.bpm.model.dmn.instance.Rule;
import org.springframework.stereotype.Component;

/** {@link DeployedPolicy} on the engine's repository and identity service, read as Airlock. */
@Component
class CamundaDeployedPolicy implements DeployedPolicy {

  private final RepositoryService repository;
  private final IdentityService identity;

  CamundaDeployedPolicy(RepositoryService repository, IdentityService identity) {
    this.repository = repository;
    this.identity = identity;
  }

  @Override
  public Deployed latest(String key) {
    return EngineIdentity.asAirlock(identity, () -> read(key));
  }

  @Override
  public Optional<Caller> person(String userId) {
    return EngineIdentity.asAirlock(identity, () -> {
      User user = identity.createUserQuery().userId(userId).singleResult();
      if (user == null) {
        return Optional.<Caller>empty();
      }
      List<String> groups = identity.createGroupQuery().groupMember(user.getId()).list().stream()
          .map(Group::getId).toList();
      return Optional.of(new Caller(user.getId(), groups));
    });
  }

  private Deployed read(String key) {
    DecisionDefinition d = repository.createDecisionDefinitionQuery().decisionDefinitionKey(key).latestVersion()
        .singleResult();
    if (d == null) {
      throw new IllegalStateException("No decision '" + key + "' is deployed");
    }
    Deployment deployment = repository.createDeploymentQuery().deploymentId(d.getDeploymentId()).singleResult();
    DmnModelInstance model;
    try (InputStream in = repository.getDecisionModel(d.getId())) {
      model = Dmn.readModelFromStream(in);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read decision " + d.getId(), e);
    }
    Decision decision = model.getModelElementById(key);
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    List<TableRule> rules = new ArrayList<>();
    String hitPolicy = null;
    if (decision != null && decision.getExpression() instanceof DecisionTable t) {
      hitPolicy = t.getHitPolicy() == null ? null : t.getHitPolicy().name();
      for (Input i : t.getInputs()) {
        inputs.add(i.getLabel() != null ? i.getLabel()
            : i.getInputExpression() != null && i.getInputExpression().getText() != null
                ? i.getInputExpression().getText().getTextContent() : i.getId());
      }
      for (Output o : t.getOutputs()) {
        outputs.add(o.getLabel() != null ? o.getLabel() : o.getName());
      }
      int row = 1;
      for (Rule r : t.getRules()) {
        List<String> in = new ArrayList<>();
        for (InputEntry e : r.getInputEntries()) {
          in.add(e.getText() == null ? "-" : e.getText().getTextContent().trim());
        }
        List<String> out = new ArrayList<>();
        for (OutputEntry e : r.getOutputEntries()) {
          out.add(e.getText() == null ? "" : e.getText().getTextContent().trim());
        }
        rules.add(new TableRule(row++, r.getId(), in, out,
            r.getDescription() == null ? null : r.getDescription().getTextContent().trim()));
      }
    }
    Table table = new Table(key, d.getName(), hitPolicy, d.getVersion(),
        deployment == null || deployment.getDeploymentTime() == null ? null : deployment.getDeploymentTime().toInstant(),
        null, deployment == null ? null : deployment.getName(), inputs, outputs, rules);
    return new Deployed(table, d.getDeploymentId());
  }
}
