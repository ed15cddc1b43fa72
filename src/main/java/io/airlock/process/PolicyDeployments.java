package io.airlock.process;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.proposal.PolicyProposals;
import io.airlock.proposal.ProposedFile;
import io.airlock.request.Caller;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.auth.DefaultAuthorizationProvider;
import org.camunda.bpm.engine.impl.cmd.DeleteDeploymentCmd;
import org.camunda.bpm.engine.impl.cmd.DeleteProcessDefinitionsByIdsCmd;
import org.camunda.bpm.engine.impl.cmd.DeleteProcessDefinitionsByKeyCmd;
import org.camunda.bpm.engine.impl.cmd.DeployCmd;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.deploy.Deployer;
import org.camunda.bpm.engine.impl.persistence.entity.AuthorizationEntity;
import org.camunda.bpm.engine.impl.persistence.entity.DeploymentEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ResourceEntity;
import org.camunda.bpm.engine.repository.Deployment;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * Every new deployment of models, from any surface (Airlock's own at start, Camunda Modeler's
 * Deploy button through {@code /engine-rest/deployment/create}, Cockpit, the webapps' API), passes
 * here inside the engine's deploy command:
 * <ol>
 *   <li>Who: a deployment made by a signed-in user needs membership of
 *       {@code airlock.groups.policy-authors}; everybody else (requesters, approvers, operators,
 *       auditors, and Camunda admins too, whom the engine's own authorization check lets through)
 *       is refused with 403. Only Airlock itself deploys without a signed-in user.
 *   <li>What: the resources must keep the rules of {@link ModelRules} (no scripts, no Java
 *       classes, no unknown beans or method calls in expressions, only the guarded process, forms
 *       bound to the deployment included); otherwise 400 naming file, element and rule.
 *   <li>Four eyes: a policy author's deployment is a <em>proposal</em>, not in force
 *       ({@link #propose}); {@code bpmn/policy-proposal.bpmn} has it reviewed by a policy approver
 *       who is not its author, then Airlock deploys the same files in force.
 *   <li>Audit: {@code policy.proposed} for a proposal ({@code PolicyProposals}); {@code
 *       policy.deployed} for Airlock's own deployments, with the deployment, each resource with its
 *       SHA-256 and the definitions with their new versions, in the deployment's transaction;
 *       a refusal is {@code refused.deploy}, with the same checksums and the reason (or, when the
 *       engine's own authorization check refused it first, with the engine's reason).
 * </ol>
 * The engine grants whoever deploys READ and DELETE on their deployment; here only READ, so a
 * policy author cannot delete a deployment (and with it, cascading, running requests).
 */
@Component
class PolicyDeployments extends AbstractProcessEnginePlugin {

  static final String DEPLOYED = "policy.deployed";
  static final String REFUSED = "refused.deploy";

  private final String policyAuthors;
  private final AuditLog audit;

  private final PolicyProposals proposals;

  PolicyDeployments(AirlockProperties properties, @Lazy AuditLog audit, @Lazy PolicyProposals proposals) {
    this.policyAuthors = properties.groups().policyAuthors();
    this.audit = audit;
    this.proposals = proposals;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<Deployer> pre = new ArrayList<>();
    if (configuration.getCustomPreDeployers() != null) {
      pre.addAll(configuration.getCustomPreDeployers());
    }
    pre.add(deployment -> {
      if (deployment.isNew()) {
        check(deployment);
        propose(deployment);
      }
    });
    configuration.setCustomPreDeployers(pre);
    List<Deployer> post = new ArrayList<>();
    if (configuration.getCustomPostDeployers() != null) {
      post.addAll(configuration.getCustomPostDeployers());
    }
    post.add(deployment -> {
      if (deployment.isNew() && caller() == null) {
        audited(deployment);
      }
    });
    configuration.setCustomPostDeployers(post);
    configuration.setResourceAuthorizationProvider(new ReadOnlyOwnDeployments());
    List<CommandInterceptor> interceptors = new ArrayList<>();
    if (configuration.getCustomPreCommandInterceptorsTxRequired() != null) {
      interceptors.addAll(configuration.getCustomPreCommandInterceptorsTxRequired());
    }
    interceptors.add(new RefusedByTheEngine(configuration));
    configuration.setCustomPreCommandInterceptorsTxRequired(interceptors);
  }

  /**
   * The engine refuses a deployment by a user without CREATE on deployments (everybody but
   * policy authors and admins) before any deployer runs: audit that refusal too.
   */
  private final class RefusedByTheEngine extends CommandInterceptor {

    private final ProcessEngineConfigurationImpl configuration;

    RefusedByTheEngine(ProcessEngineConfigurationImpl configuration) {
      this.configuration = configuration;
    }

    @Override
    public <T> T execute(Command<T> command) {
      if (command instanceof DeleteDeploymentCmd || command instanceof DeleteProcessDefinitionsByIdsCmd
          || command instanceof DeleteProcessDefinitionsByKeyCmd) {
        refuseDeletion(command, Steps.caller(configuration.getIdentityService()));
      }
      try {
        return next.execute(command);
      } catch (AuthorizationException e) {
        if (command instanceof DeployCmd && !(e.getCause() instanceof ForbiddenActionException)) {
          Caller caller = Steps.caller(configuration.getIdentityService());
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("reasons", List.of("the engine refused it: " + e.getMessage()));
          audit.refused(caller == null ? null : caller.userId(), REFUSED, null, details);
        }
        throw e;
      }
    }
  }

  /**
   * Deleting a deployment or a process definition by hand puts an older version in force (or
   * ends running requests): a policy change by one person. Refused to every signed-in caller,
   * admins included, audited; Airlock itself (no signed-in user) may.
   */
  private void refuseDeletion(Command<?> command, Caller caller) {
    if (caller == null) {
      return;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reasons", List.of("deleting deployments or process definitions would put an older policy in force"));
    details.put("command", command instanceof DeleteDeploymentCmd ? "delete deployment" : "delete process definition");
    audit.refused(caller.userId(), REFUSED, null, details);
    EngineErrors.translate(() -> {
      throw new ForbiddenActionException("Deployments and process definitions are not deleted by hand: that would "
          + "put an older policy in force, or end running requests. Propose the policy you want instead (a deployment "
          + "by a policy author, approved by a policy approver)");
    });
  }

  void check(DeploymentEntity deployment) {
    Caller caller = caller();
    if (caller != null && !caller.groups().contains(policyAuthors)) {
      refuse(caller, deployment, List.of("only members of " + policyAuthors + " deploy models"));
      EngineErrors.translate(() -> {
        throw new ForbiddenActionException("Only members of '" + policyAuthors + "' deploy models; "
            + caller.userId() + " is not one");
      });
    }
    List<ModelRules.Resource> resources = new ArrayList<>();
    resources(deployment).forEach((name, bytes) -> resources.add(new ModelRules.Resource(name, bytes)));
    List<String> problems = ModelRules.check(resources);
    if (!problems.isEmpty()) {
      refuse(caller, deployment, problems);
      EngineErrors.translate(() -> {
        throw new InvalidRequestException(problems.stream()
            .map(p -> new InvalidRequestException.FieldError("deployment", p)).toList());
      });
    }
  }

  /**
   * A deployment by a signed-in policy author is a proposal: its files stay in the engine's
   * deployment (Cockpit shows them, the proposal's review reads them), but the deployers see none,
   * so it defines no process, decision or form and the policy in force does not change. The
   * proposal is recorded, audited and its review started in the deployment's transaction.
   * Airlock's own deployments (no signed-in user: the models at start, an approved proposal)
   * are in force at once.
   */
  private void propose(DeploymentEntity deployment) {
    Caller caller = caller();
    if (caller == null) {
      return;
    }
    List<ProposedFile> files = new ArrayList<>();
    resources(deployment).forEach((name, bytes) -> files.add(new ProposedFile(name, bytes)));
    proposals.propose(caller, deployment.getId(), deployment.getName(), deployment.getSource(), files);
    deployment.getResources().clear();
  }

  /** The user signed in on the deploy call, or null when Airlock deploys (the engine's own identity service). */
  private static Caller caller() {
    return Steps.caller(Context.getProcessEngineConfiguration().getIdentityService());
  }

  private void refuse(Caller caller, DeploymentEntity deployment, List<String> reasons) {
    Map<String, Object> details = details(deployment);
    details.put("reasons", reasons);
    audit.refused(caller == null ? RequestService.SYSTEM_ACTOR : caller.userId(), REFUSED, null, details);
  }

  private void audited(DeploymentEntity deployment) {
    Caller caller = caller();
    Map<String, Object> details = details(deployment);
    details.put("deploymentId", deployment.getId());
    List<String> definitions = new ArrayList<>();
    if (deployment.getDeployedProcessDefinitions() != null) {
      deployment.getDeployedProcessDefinitions().forEach(d -> definitions.add(d.getKey() + ":" + d.getVersion()));
    }
    if (deployment.getDeployedDecisionDefinitions() != null) {
      deployment.getDeployedDecisionDefinitions().forEach(d -> definitions.add(d.getKey() + ":" + d.getVersion()));
    }
    details.put("definitions", definitions);
    audit.record(caller == null ? RequestService.SYSTEM_ACTOR : caller.userId(), DEPLOYED, null, details);
  }

  private static Map<String, Object> details(DeploymentEntity deployment) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", deployment.getName());
    details.put("source", deployment.getSource());
    List<Map<String, String>> resources = new ArrayList<>();
    resources(deployment).forEach((name, bytes) -> resources.add(Map.of("name", name, "sha256", sha256(bytes))));
    details.put("resources", resources);
    return details;
  }

  private static Map<String, byte[]> resources(DeploymentEntity deployment) {
    Map<String, byte[]> sorted = new TreeMap<>();
    Map<String, ResourceEntity> resources = deployment.getResources();
    if (resources != null) {
      resources.forEach((name, r) -> sorted.put(name, r.getBytes() == null ? new byte[0] : r.getBytes()));
    }
    return sorted;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The engine's default grants, but whoever deploys gets READ on their deployment, not DELETE. */
  static final class ReadOnlyOwnDeployments extends DefaultAuthorizationProvider {
    @Override
    public AuthorizationEntity[] newDeployment(Deployment deployment) {
      AuthorizationEntity[] grants = super.newDeployment(deployment);
      if (grants != null) {
        for (AuthorizationEntity grant : grants) {
          grant.removePermission(Permissions.DELETE);
        }
      }
      return grants;
    }
  }
}
