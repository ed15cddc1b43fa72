package io.airlock.aws;

import io.airlock.activity.ActivityProperties;
import io.airlock.activity.ActivitySource;
import io.airlock.config.AirlockProperties;
import io.airlock.sandbox.SandboxEndpoint;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * CloudTrail for session activity: in each member account Airlock assumes the read-only reader
 * role ({@code airlock.activity.role-arn}, e.g. {@code arn:aws:iam::{account}:role/AirlockActivityReader},
 * which may do nothing but {@code cloudtrail:LookupEvents}) with the external id, from its own
 * identity (the base credentials, not the integration role, so the integration role needs no
 * {@code sts:AssumeRole}). With the sandbox, the emulator's STS issues the session (with the
 * sandbox's external id) and the emulated CloudTrail answers for the role's account.
 */
@Configuration(proxyBeanMethods = false)
class ActivityClientsConfiguration {

  @Bean
  CloudTrailQuota cloudTrailQuota(ActivityProperties properties) {
    return new CloudTrailQuota(properties.callsPerSecond(), properties.maxWait());
  }

  @Bean(destroyMethod = "close")
  CloudTrailActivitySource activitySource(AwsClientsConfiguration.AwsConnection connection, AirlockProperties airlock,
      ActivityProperties properties, SdkHttpClient http, StsClient sts, CloudTrailQuota quota,
      ObjectProvider<SandboxEndpoint> sandbox, AwsCallAudit audit, AwsMetrics metrics) {
    SandboxEndpoint emulator = sandbox.getIfAvailable();
    String externalId = emulator != null ? emulator.externalId() : properties.externalId();
    return new CloudTrailActivitySource((accountId, region) -> {
      StsAssumeRoleCredentialsProvider credentials = StsAssumeRoleCredentialsProvider.builder()
          .stsClient(sts)
          .refreshRequest(r -> r.roleArn(properties.roleArnFor(accountId))
              .roleSessionName("airlock-activity")
              .externalId(externalId == null || externalId.isBlank() ? null : externalId)
              .durationSeconds(3600))
          .build();
      var builder = CloudTrailClient.builder()
          .region(Region.of(region))
          .credentialsProvider(credentials)
          .httpClient(http)
          .overrideConfiguration(ClientOverrideConfiguration.builder()
              .apiCallTimeout(airlock.aws().callTimeout().plus(properties.maxWait()))
              .apiCallAttemptTimeout(airlock.aws().attemptTimeout().plus(properties.maxWait()))
              .retryStrategy(AwsRetryStrategy.standardRetryStrategy())
              .addExecutionInterceptor(quota.interceptor(accountId, region))
              .addExecutionInterceptor(metrics)
              .addMetricPublisher(metrics)
              .addExecutionInterceptor(audit)
              .build());
      if (connection.endpoint() != null) {
        builder.endpointOverride(connection.endpoint());
      }
      return builder.build();
    });
  }
}
