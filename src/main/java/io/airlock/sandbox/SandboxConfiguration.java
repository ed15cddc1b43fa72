package io.airlock.sandbox;

import io.airlock.config.AirlockProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With no AWS configured ({@code airlock.aws.sandbox.enabled=true}, the default) Airlock starts
 * the AWS emulator on a loopback port, seeded with a demo organization. The AWS adapter finds
 * this bean and points the SDK at it; nothing else knows.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "airlock.aws.sandbox", name = "enabled", havingValue = "true")
class SandboxConfiguration {

  private static final Logger log = LoggerFactory.getLogger(SandboxConfiguration.class);

  /**
   * A standalone emulator ({@link SandboxMain}) at {@code airlock.aws.sandbox.endpoint}
   * ({@code AIRLOCK_AWS_SANDBOX_ENDPOINT}): the demo as usual, but AWS's state lives in that
   * process and survives Airlock's restarts. Only a loopback address is accepted: the sandbox's
   * fixed keys must never reach anything else.
   */
  @Bean
  @org.springframework.boot.autoconfigure.condition.ConditionalOnExpression(
      "!'${airlock.aws.sandbox.endpoint:}'.isBlank()")
  SandboxEndpoint standaloneSandbox(EmulatorProperties emulator) {
    String endpoint = emulator.endpoint();
    java.net.URI uri = java.net.URI.create(endpoint.trim());
    String host = uri.getHost();
    if (uri.getScheme() == null || !uri.getScheme().equals("http") || host == null
        || !(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"))) {
      throw new IllegalStateException("airlock.aws.sandbox.endpoint (AIRLOCK_AWS_SANDBOX_ENDPOINT) must be the"
          + " standalone emulator on this machine, http://127.0.0.1:<port>: " + endpoint);
    }
    log.info("AWS sandbox: the standalone emulator at {} (its state outlives Airlock's restarts)", uri);
    return new SandboxEndpoint.Remote(uri, SandboxSettings.defaults().externalId());
  }

  @Bean(destroyMethod = "close")
  @org.springframework.boot.autoconfigure.condition.ConditionalOnExpression(
      "'${airlock.aws.sandbox.endpoint:}'.isBlank()")
  AwsSandbox awsSandbox(AirlockProperties properties, EmulatorProperties emulator,
      OrganizationScale organization,
      org.springframework.beans.factory.ObjectProvider<javax.sql.DataSource> dataSource) {
    AirlockProperties.Sandbox s = properties.aws().sandbox();
    SandboxSettings defaults = SandboxSettings.defaults();
    // AWS's quotas by default; benchmarks lift them (max-calls-per-second, max-creations-in-flight)
    // or draw latencies from a spread (operation-delay-spread: 0.5s..10s) instead of operation-delay.
    AwsSandbox sandbox = AwsSandbox.start(new SandboxSettings(s.port(), s.operationDelay(),
        emulator.maxCallsPerSecond(), emulator.maxCreationsInFlight(), defaults.externalId(),
        DelaySpread.parse(emulator.operationDelaySpread(), emulator.operationDelaySeed()), organization));
    java.nio.file.Path folder = s3Folder(emulator.s3Folder(), databaseUrl(dataSource.getIfAvailable()));
    if (folder != null) {
      sandbox.s3().persistIn(folder);
      log.info("AWS sandbox: S3 keeps its objects in {} (beside the database; delete both to start afresh)", folder);
    }
    // A granted user "does" a few things in the account, so that the demo has session activity to show.
    sandbox.cloudTrail().demoEvents(emulator.demoActivity());
    log.info("AWS sandbox (emulated organization {}{}) listening on {}", DemoOrganization.ORGANIZATION_ID,
        organization.demoOnly() ? "" : ", with " + organization, sandbox.endpoint());
    return sandbox;
  }

  /** The URL of the database Airlock really uses (not the property, which a test or a bean may override). */
  private static String databaseUrl(javax.sql.DataSource dataSource) {
    if (dataSource == null) {
      return null;
    }
    try (java.sql.Connection c = dataSource.getConnection()) {
      return c.getMetaData().getURL();
    } catch (java.sql.SQLException e) {
      log.warn("AWS sandbox: cannot tell which database Airlock uses ({}); S3 keeps its objects in memory", e.toString());
      return null;
    }
  }

  /**
   * Where the emulated S3 keeps its objects: {@code airlock.aws.sandbox.s3-folder} when set;
   * otherwise, with an H2 file database, a folder named after it beside it, so the audit log's
   * anchors live as long as the log they anchor (the embedded default:
   * {@code ./data/airlock-sandbox-s3}); otherwise (PostgreSQL, an in-memory database) in memory.
   */
  static java.nio.file.Path s3Folder(String configured, String databaseUrl) {
    if (configured != null && !configured.isBlank()) {
      return java.nio.file.Path.of(configured.trim());
    }
    String prefix = "jdbc:h2:file:";
    if (databaseUrl == null || !databaseUrl.startsWith(prefix)) {
      return null;
    }
    String file = databaseUrl.substring(prefix.length());
    int semicolon = file.indexOf(';');
    java.nio.file.Path db = java.nio.file.Path.of(semicolon < 0 ? file : file.substring(0, semicolon));
    java.nio.file.Path parent = db.getParent();
    return (parent == null ? java.nio.file.Path.of(".") : parent).resolve(db.getFileName() + "-sandbox-s3");
  }
}
