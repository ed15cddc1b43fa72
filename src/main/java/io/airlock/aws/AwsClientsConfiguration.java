package io.airlock.aws;

import io.airlock.audit.AuditArchive;
import io.airlock.audit.AuditShippingProperties;
import io.airlock.config.AirlockProperties;
import io.airlock.sandbox.SandboxEndpoint;
import java.net.URI;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.identitystore.IdentitystoreClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * One SDK client per service, built once, with call and attempt time-outs and the standard
 * retry strategy. Credentials: the integration role through STS AssumeRole with the external
 * id when a role is configured (refreshed before expiry), else the default chain. With the
 * sandbox on, every client points at the in-process emulator instead.
 */
@Configuration(proxyBeanMethods = false)
class AwsClientsConfiguration {

  private static final Logger log = LoggerFactory.getLogger(AwsClientsConfiguration.class);

  /**
   * Where the clients connect, and as whom: {@code baseCredentials} assume the integration role;
   * {@code auditCredentials} write the audit archive (Airlock's own identity, never the
   * integration role, which may do nothing but Identity Center's work).
   */
  record AwsConnection(Region region, URI endpoint, AwsCredentialsProvider baseCredentials,
      AwsCredentialsProvider auditCredentials) {}

  @Bean(destroyMethod = "close")
  SdkHttpClient awsHttpClient() {
    return ApacheHttpClient.builder().maxConnections(50).build();
  }

  /**
   * The sandbox and a real AWS setting together are a mistake that would report the emulator's
   * grants as real: Airlock does not start, and says which settings clash.
   */
  static void refuseSandboxWithRealAws(AirlockProperties.Aws aws) {
    List<String> real = new java.util.ArrayList<>();
    if (aws.endpoint() != null && !aws.endpoint().isBlank()) {
      real.add("airlock.aws.endpoint (AIRLOCK_AWS_ENDPOINT)");
    }
    if (aws.roleArn() != null && !aws.roleArn().isBlank()) {
      real.add("airlock.aws.role-arn (AIRLOCK_AWS_ROLE_ARN)");
    }
    if (!real.isEmpty()) {
      throw new IllegalStateException("The AWS sandbox is on (airlock.aws.sandbox.enabled, AIRLOCK_AWS_SANDBOX) and "
          + String.join(" and ", real) + " is set too: Airlock would report the emulator's grants as real. "
          + "Turn the sandbox off for real AWS, or remove the real AWS settings for the demo.");
    }
  }

  @Bean
  AwsConnection awsConnection(AirlockProperties properties, ObjectProvider<SandboxEndpoint> sandbox) {
    AirlockProperties.Aws aws = properties.aws();
    SandboxEndpoint emulator = sandbox.getIfAvailable();
    if (emulator != null) {
      refuseSandboxWithRealAws(aws);
      log.info("AWS sandbox: the SDK talks to the emulator at {}", emulator.endpoint());
      return new AwsConnection(Region.of(aws.region()), emulator.endpoint(),
          StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIASANDBOX000000000", "sandbox-secret")),
          StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIASANDBOXAUDIT0000", "sandbox-secret")));
    }
    URI endpoint = aws.endpoint() == null || aws.endpoint().isBlank() ? null : URI.create(aws.endpoint());
    DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
    return new AwsConnection(Region.of(aws.region()), endpoint, chain, chain);
  }

  /** Every AWS call in the audit log, with AWS's request id and the outcome (not the audit archive's own). */
  @Bean
  AwsCallAudit awsCallAudit(io.airlock.audit.AuditLog audit) {
    return new AwsCallAudit(audit);
  }

  @Bean(destroyMethod = "close")
  StsClient stsClient(AwsConnection connection, AirlockProperties properties, SdkHttpClient http, AwsMetrics metrics, AwsCallAudit audit) {
    return configure(StsClient.builder(), connection, properties, connection.baseCredentials(), http, null, metrics, audit).build();
  }

  /** The credentials every Identity Center call uses. */
  @Bean
  AwsCredentialsProvider airlockCredentials(AwsConnection connection, AirlockProperties properties, StsClient sts) {
    AirlockProperties.Aws aws = properties.aws();
    if (aws.roleArn() == null || aws.roleArn().isBlank()) {
      return connection.baseCredentials();
    }
    log.info("Assuming integration role {}", aws.roleArn());
    return StsAssumeRoleCredentialsProvider.builder()
        .stsClient(sts)
        .refreshRequest(r -> r.roleArn(aws.roleArn())
            .roleSessionName("airlock")
            .externalId(aws.externalId() == null || aws.externalId().isBlank() ? null : aws.externalId())
            .durationSeconds(3600))
        .build();
  }

  /**
   * One quota shared by both Identity Center clients (AWS counts them together). AWS's quota is
   * per Identity Center instance: on several nodes, each takes its share
   * ({@code airlock.aws.calls-per-second}, README "Running several nodes").
   */
  @Bean
  IdentityCenterQuota identityCenterQuota(AirlockProperties properties) {
    return new IdentityCenterQuota(properties.aws().callsPerSecond(), Duration.ofSeconds(30));
  }

  @Bean(destroyMethod = "close")
  SsoAdminClient ssoAdminClient(AwsConnection c, AirlockProperties p, AwsCredentialsProvider airlockCredentials,
      SdkHttpClient http, IdentityCenterQuota quota, AwsMetrics metrics, AwsCallAudit audit) {
    return configure(SsoAdminClient.builder(), c, p, airlockCredentials, http, quota, metrics, audit).build();
  }

  @Bean(destroyMethod = "close")
  IdentitystoreClient identitystoreClient(AwsConnection c, AirlockProperties p, AwsCredentialsProvider airlockCredentials,
      SdkHttpClient http, IdentityCenterQuota quota, AwsMetrics metrics, AwsCallAudit audit) {
    return configure(IdentitystoreClient.builder(), c, p, airlockCredentials, http, quota, metrics, audit).build();
  }

  @Bean(destroyMethod = "close")
  OrganizationsClient organizationsClient(AwsConnection c, AirlockProperties p, AwsCredentialsProvider airlockCredentials,
      SdkHttpClient http, AwsMetrics metrics, AwsCallAudit audit) {
    return configure(OrganizationsClient.builder(), c, p, airlockCredentials, http, null, metrics, audit).build();
  }

  /**
   * CloudTrail's event history of the integration role's account, read by incremental scans:
   * Identity Center's region, and us-east-1 where Organizations records its events.
   */
  @Bean(destroyMethod = "close")
  ChangeFeed changeFeed(AwsConnection c, AirlockProperties p, AwsCredentialsProvider airlockCredentials,
      SdkHttpClient http, CloudTrailQuota quota, AwsMetrics metrics, AwsCallAudit audit) {
    java.util.Map<String, software.amazon.awssdk.services.cloudtrail.CloudTrailClient> clients =
        new java.util.LinkedHashMap<>();
    for (Region region : new java.util.LinkedHashSet<>(java.util.List.of(c.region(), Region.US_EAST_1))) {
      var builder = software.amazon.awssdk.services.cloudtrail.CloudTrailClient.builder()
          .region(region)
          .credentialsProvider(airlockCredentials)
          .httpClient(http)
          .overrideConfiguration(ClientOverrideConfiguration.builder()
              .apiCallTimeout(p.aws().callTimeout())
              .apiCallAttemptTimeout(p.aws().attemptTimeout())
              .retryStrategy(retryStrategy())
              .addExecutionInterceptor(quota.interceptor("identity-center", region.id()))
              .addExecutionInterceptor(metrics)
              .addMetricPublisher(metrics)
              .addExecutionInterceptor(audit)
              .build());
      if (c.endpoint() != null) {
        builder.endpointOverride(c.endpoint());
      }
      clients.put(region.id(), builder.build());
    }
    return new ChangeFeed(clients);
  }

  /**
   * S3 for the audit archive, path-style against a configured endpoint (the sandbox, or any
   * S3-compatible store). The standard retry strategy retries 5xx, throttling and network errors
   * with jittered backoff; the shipper backs off further between batches.
   */
  @Bean(destroyMethod = "close")
  S3Client s3Client(AwsConnection c, AirlockProperties p, SdkHttpClient http, AwsMetrics metrics) {
    // not audited per call: shipping the audit log must not write to it (it would never be idle)
    return configure(S3Client.builder(), c, p, c.auditCredentials(), http, null, metrics, null)
        .forcePathStyle(c.endpoint() != null)
        .build();
  }

  @Bean
  @ConditionalOnProperty(name = "airlock.audit.shipping.enabled", havingValue = "true")
  AuditArchive auditArchive(S3Client s3, AuditShippingProperties properties, Clock clock) {
    return new S3AuditArchive(s3, properties, clock);
  }

  /**
   * The SDK's standard strategy (throttling, 5xx and transient network errors, with jittered
   * exponential backoff) plus ConflictException: Identity Center answers it while another
   * operation on the same permission set and account is in progress, which passes.
   */
  static software.amazon.awssdk.retries.api.RetryStrategy retryStrategy() {
    return retryStrategy(true);
  }

  /**
   * As {@link #retryStrategy()}; without the circuit breaker for the Identity Center clients:
   * the SDK's retry token bucket stops retrying altogether once many calls were throttled, so
   * under sustained throttling a grant or revoke failed at its first throttle and waited for its
   * job's next retry (minutes). Those clients' calls, retries included, already pass
   * {@link IdentityCenterQuota}, so retrying cannot flood AWS.
   */
  static software.amazon.awssdk.retries.api.RetryStrategy retryStrategy(boolean circuitBreaker) {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .retryOnException(AwsClientsConfiguration::isConflict)
        .maxAttempts(5)
        .circuitBreakerEnabled(circuitBreaker)
        .build();
  }

  /**
   * Calls that take access away (DeleteAccountAssignment and its status polls) under throttling:
   * ten attempts, with full-jitter backoff from 0.2 s doubling to at most 1 s (the standard
   * strategy's throttling backoff starts at 1 s and grows to 20 s), no circuit breaker. Half of
   * all calls throttled still ends a revoke within seconds (IdentityCenterAdapterTest). Each
   * attempt takes a slot of the quota's reserve for revokes, so this never exceeds AWS's rate.
   */
  static software.amazon.awssdk.retries.api.RetryStrategy urgentRetryStrategy() {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .retryOnException(AwsClientsConfiguration::isConflict)
        .maxAttempts(10)
        .backoffStrategy(software.amazon.awssdk.retries.api.BackoffStrategy.exponentialDelay(
            Duration.ofMillis(100), Duration.ofSeconds(1)))
        .throttlingBackoffStrategy(software.amazon.awssdk.retries.api.BackoffStrategy.exponentialDelay(
            Duration.ofMillis(200), Duration.ofSeconds(1)))
        .circuitBreakerEnabled(false)
        .build();
  }

  /** Per request: the {@link #urgentRetryStrategy()} instead of the client's. */
  static final software.amazon.awssdk.core.SdkPlugin URGENT_RETRIES =
      config -> config.overrideConfiguration(c -> c.retryStrategy(urgentRetryStrategy()));

  private static boolean isConflict(Throwable e) {
    return e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException ase
        && ase.awsErrorDetails() != null && "ConflictException".equals(ase.awsErrorDetails().errorCode());
  }

  private static <B extends AwsClientBuilder<B, ?> & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>> B configure(
      B builder, AwsConnection c, AirlockProperties p, AwsCredentialsProvider credentials, SdkHttpClient http,
      IdentityCenterQuota quota, AwsMetrics metrics, AwsCallAudit audit) {
    ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
        .apiCallTimeout(p.aws().callTimeout())
        .apiCallAttemptTimeout(p.aws().attemptTimeout())
        .retryStrategy(retryStrategy(quota == null));
    if (quota != null) {
      override.addExecutionInterceptor(quota);
    }
    // After the quota: a revoke's lateness includes its wait for a slot (AwsMetrics).
    override.addExecutionInterceptor(metrics).addMetricPublisher(metrics);
    if (audit != null) {
      override.addExecutionInterceptor(audit);
    }
    builder.region(c.region())
        .credentialsProvider(credentials)
        .httpClient(http)
        .overrideConfiguration(override.build());
    if (c.endpoint() != null) {
      builder.endpointOverride(c.endpoint());
    }
    return builder;
  }
}
