package io.airlock.process;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.request.RequestService;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * below the classpath root ("bpmn/access-request.bpmn") whether they come from a folder or the
 * fat jar. Duplicate filtering deploys only changed files, each as a new version, and every
 * deployment that changed something is audited.
 */
@Component
class ModelDeployment extends AbstractProcessEnginePlugin {

  private static final Logger log = LoggerFactory.getLogger(ModelDeployment.class);
  private static final List<String> FOLDERS = List.of("bpmn", "dmn", "forms");

  private final AirlockProperties.Models models;
  private final AuditLog audit;
  private final TransactionTemplate tx;

  /** Depends on Flyway so the audit table exists before the first deployment. */
  ModelDeployment(AirlockProperties properties, AuditLog audit, TransactionTemplate tx,
      @SuppressWarnings("unused") FlywayMigrationInitializer flyway) {
    this.models = properties.models();
    this.audit = audit;
    this.tx = tx;
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    tx.executeWithoutResult(status -> deploy(engine));
  }

  private void deploy(ProcessEngine engine) {
    DeploymentBuilder builder = engine.getRepositoryService().createDeployment()
        .name(models.deploymentName())
        .source("airlock")
        .enableDuplicateFiltering(true);
    List<String> names = new ArrayList<>();
    try {
      PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
      for (String pattern : models.patterns()) {
        for (Resource resource : resolver.getResources(pattern)) {
          String name = stableName(resource);
          try (InputStream in = resource.getInputStream()) {
            builder.addInputStream(name, new java.io.ByteArrayInputStream(in.readAllBytes()));
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
    deployment.getDeployedProcessDefinitions().forEach(d -> deployed.add(d.getKey() + ":" + d.getVersion()));
    deployment.getDeployedDecisionDefinitions().forEach(d -> deployed.add(d.getKey() + ":" + d.getVersion()));
    log.info("Deployed models {} as {}", names, deployed);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("deploymentId", deployment.getId());
    details.put("resources", names);
    details.put("definitions", deployed);
    audit.record(RequestService.SYSTEM_ACTOR, "policy.deployed", null, details);
  }

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
