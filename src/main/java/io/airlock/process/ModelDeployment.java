package io.airlock.process;

import io.airlock.config.AirlockProperties;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.camunda.bpm.engine.repository.DeploymentWithDefinitions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationInitializer;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deploys the models in bpmn/, dmn/ and forms/ when the engine starts, named by their path
 * below the classpath root ("bpmn/access-request.bpmn") whether they come from a folder, the fat
 * jar or a directory of the operator's choice ({@code airlock.models.patterns}).
 *
 * <p>The models are one set, deployed together: when any file differs from the last deployment
 * of the set (Camunda's duplicate filtering, comparing each resource with its latest version in
 * deployments of the same name and source), the whole set is deployed again as one new
 * deployment; when none differs, nothing is deployed. So
 * <ul>
 *   <li>a changed BPMN is deployed with the forms it binds by deployment
 *       ({@code camunda:formRefBinding="deployment"}), and a changed form takes effect, through
 *       a new version of the process that binds it;
 *   <li>a changed DMN is a new version of its decision, which new requests use (Airlock
 *       evaluates the latest version by key); the unchanged files come along as new versions
 *       with the same content;
 *   <li>running instances stay on the process version they started with and see that
 *       version's forms: what an approver reviews does not change under them.
 * </ul>
 * Deploying only the changed files instead (Camunda's "changed only") splits the set: a process
 * redeployed alone finds no forms in its deployment, a form redeployed alone is never bound.
 * Who deployed what, with each file's SHA-256, is audited by {@link PolicyDeployments}, which
 * also checks every deployment against {@link ModelRules}.
 */
@Component
class ModelDeployment extends AbstractProcessEnginePlugin {

  private static final Logger log = LoggerFactory.getLogger(ModelDeployment.class);
  private static final List<String> FOLDERS = List.of("bpmn", "dmn", "forms");

  private final AirlockProperties.Models models;
  private final TransactionTemplate tx;

  /** Depends on Flyway so the audit table exists before the first deployment is audited. */
  ModelDeployment(AirlockProperties properties, TransactionTemplate tx,
      @SuppressWarnings("unused") FlywayMigrationInitializer flyway) {
    this.models = properties.models();
    this.tx = tx;
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    tx.executeWithoutResult(status -> deploy(engine));
  }

  private void deploy(ProcessEngine engine) {
    DeploymentBuilder builder = engine.getRepositoryService().createDeployment()
        .name(models.deploymentName())
        .source(SOURCE)
        // false = if any resource changed, deploy all of them (true would deploy the changed ones only)
        .enableDuplicateFiltering(false);
    List<String> names = new ArrayList<>();
    try {
      PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
      for (String pattern : models.patterns()) {
        for (Resource resource : resolver.getResources(pattern)) {
          String name = stableName(resource);
          if (names.contains(name)) {
            throw new IllegalStateException("Two models named " + name + " at " + models.patterns());
          }
          try (InputStream in = resource.getInputStream()) {
            builder.addInputStream(name, new ByteArrayInputStream(in.readAllBytes()));
          }
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the models: " + e.getMessage(), e);
    }
    if (names.isEmpty()) {
      throw new IllegalStateException("No models found at " + models.patterns());
    }
    long before = engine.getRepositoryService().createDeploymentQuery().count();
    DeploymentWithDefinitions deployment = builder.deployWithResult();
    if (engine.getRepositoryService().createDeploymentQuery().count() == before) {
      log.info("Models unchanged: {}", names);
      return;
    }
    List<String> deployed = new ArrayList<>();
    if (deployment.getDeployedProcessDefinitions() != null) {
      deployment.getDeployedProcessDefinitions().forEach(d -> deployed.add(d.getKey() + ":" + d.getVersion()));
    }
    if (deployment.getDeployedDecisionDefinitions() != null) {
      deployment.getDeployedDecisionDefinitions().forEach(d -> deployed.add(d.getKey() + ":" + d.getVersion()));
    }
    log.info("Deployed models {} as {} (deployment {})", names, deployed, deployment.getId());
  }

  static final String SOURCE = "airlock";

  /** "bpmn/access-request.bpmn" from any URL ending in ".../bpmn/access-request.bpmn". */
  static String stableName(Resource resource) throws IOException {
    String url = resource.getURL().toString();
    for (String folder : FOLDERS) {
      int at = url.lastIndexOf("/" + folder + "/");
      if (at >= 0) {
        return url.substring(at + 1);
      }
    }
    return resource.getFilename();
  }
}
