package io.airlock.process;

import io.airlock.config.AirlockProperties;
import io.airlock.proposal.ProposalEngine;
import io.airlock.proposal.ProposedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.camunda.bpm.engine.repository.DeploymentWithDefinitions;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.repository.Resource;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/** {@link ProposalEngine} on Camunda: the review process, the files of a deployment, versions, deploying as Airlock. */
@Component
class CamundaProposalEngine implements ProposalEngine {

  private final RepositoryService repository;
  private final RuntimeService runtime;
  private final IdentityService identity;
  private final org.camunda.bpm.engine.TaskService tasks;
  private final String approverGroup;

  CamundaProposalEngine(@Lazy RepositoryService repository, @Lazy RuntimeService runtime,
      @Lazy IdentityService identity, @Lazy org.camunda.bpm.engine.TaskService tasks, AirlockProperties properties) {
    this.repository = repository;
    this.tasks = tasks;
    this.runtime = runtime;
    this.identity = identity;
    this.approverGroup = properties.groups().policyApprovers();
  }

  @Override
  public String startReview(long proposalId, String author, String title, String files) {
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put(PolicyProposalModel.Variables.PROPOSAL_ID, proposalId);
    variables.put(PolicyProposalModel.Variables.PROPOSAL_TITLE, title);
    variables.put(PolicyProposalModel.Variables.PROPOSAL_AUTHOR, author);
    variables.put(PolicyProposalModel.Variables.PROPOSAL_FILES, files);
    variables.put(PolicyProposalModel.Variables.POLICY_APPROVER_GROUP, approverGroup);
    return AirlockSelf.run(() -> runtime.createProcessInstanceByKey(PolicyProposalModel.PROCESS_KEY)
        .businessKey(String.valueOf(proposalId)).setVariables(variables).execute().getId());
  }

  @Override
  public List<ProposedFile> files(String deploymentId) {
    List<ProposedFile> files = new ArrayList<>();
    List<Resource> resources = new ArrayList<>(repository.getDeploymentResources(deploymentId));
    resources.sort(Comparator.comparing(Resource::getName));
    for (Resource r : resources) {
      try (InputStream in = repository.getResourceAsStreamById(deploymentId, r.getId())) {
        files.add(new ProposedFile(r.getName(), in.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  @Override
  public Map<String, Integer> versionsInForce(Collection<String> keys) {
    Map<String, Integer> versions = new LinkedHashMap<>();
    for (String key : keys) {
      ProcessDefinition process = repository.createProcessDefinitionQuery().processDefinitionKey(key)
          .latestVersion().singleResult();
      DecisionDefinition decision = repository.createDecisionDefinitionQuery().decisionDefinitionKey(key)
          .latestVersion().singleResult();
      versions.put(key, Math.max(process == null ? 0 : process.getVersion(), decision == null ? 0 : decision.getVersion()));
    }
    return versions;
  }

  @Override
  public String deployAs(io.airlock.request.Caller author, String name, String source, List<ProposedFile> files) {
    return EngineIdentity.as(identity, author.userId(), author.groups(), () -> {
      DeploymentBuilder builder = repository.createDeployment().name(name).source(source);
      for (ProposedFile f : files) {
        builder.addInputStream(f.name(), new java.io.ByteArrayInputStream(f.bytes()));
      }
      return builder.deploy().getId();
    });
  }

  @Override
  public InForce deploy(long proposalId, List<ProposedFile> files) {
    // As Airlock: no signed-in user, so the deploy hook puts it in force instead of proposing it again.
    return asAirlock(() -> {
      DeploymentBuilder builder = repository.createDeployment().name("policy-proposal-" + proposalId)
          .source(PolicyProposalModel.IN_FORCE_SOURCE);
      for (ProposedFile f : files) {
        builder.addInputStream(f.name(), new java.io.ByteArrayInputStream(f.bytes()));
      }
      DeploymentWithDefinitions d = builder.deployWithResult();
      List<String> definitions = new ArrayList<>();
      if (d.getDeployedProcessDefinitions() != null) {
        d.getDeployedProcessDefinitions().forEach(p -> definitions.add(p.getKey() + ":" + p.getVersion()));
      }
      if (d.getDeployedDecisionDefinitions() != null) {
        d.getDeployedDecisionDefinitions().forEach(p -> definitions.add(p.getKey() + ":" + p.getVersion()));
      }
      return new InForce(d.getId(), definitions);
    });
  }

  @Override
  public boolean completeReview(String processInstanceId, io.airlock.request.Caller reviewer, String decision,
      String comment) {
    org.camunda.bpm.engine.task.Task task = asAirlock(() -> tasks.createTaskQuery().processInstanceId(processInstanceId)
        .taskDefinitionKey(PolicyProposalModel.Elements.TASK_REVIEW).singleResult());
    if (task == null) {
      return false;
    }
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put(PolicyProposalModel.Variables.PROPOSAL_DECISION, decision);
    variables.put(PolicyProposalModel.Variables.PROPOSAL_COMMENT, comment);
    return EngineIdentity.as(identity, reviewer.userId(), reviewer.groups(), () -> {
      try {
        tasks.complete(task.getId(), variables);
        return true;
      } catch (org.camunda.bpm.engine.OptimisticLockingException
          | org.camunda.bpm.engine.exception.NullValueException e) {
        return false; // completed by someone else a moment ago
      }
    });
  }

  private <T> T asAirlock(java.util.function.Supplier<T> work) {
    return EngineIdentity.asAirlock(identity, work);
  }
}
