package io.airlock.sandbox;

import io.airlock.config.AirlockProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
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

  @Bean(destroyMethod = "close")
  AwsSandbox awsSandbox(AirlockProperties properties,
      @Value("${airlock.aws.sandbox.demo-activity:true}") boolean demoActivity,
      @Value("${airlock.aws.sandbox.max-calls-per-second:20}") int maxCallsPerSecond,
      @Value("${airlock.aws.sandbox.max-creations-in-flight:15}") int maxCreationsInFlight,
      @Value("${airlock.aws.sandbox.operation-delay-spread:}") String operationDelaySpread,
      @Value("${airlock.aws.sandbox.operation-delay-seed:1}") long operationDelaySeed) {
    AirlockProperties.Sandbox s = properties.aws().sandbox();
    SandboxSettings defaults = SandboxSettings.defaults();
    // AWS's quotas by default; benchmarks lift them (max-calls-per-second, max-creations-in-flight)
    // or draw latencies from a spread (operation-delay-spread: 0.5s..10s) instead of operation-delay.
    AwsSandbox sandbox = AwsSandbox.start(new SandboxSettings(s.port(), s.operationDelay(),
        maxCallsPerSecond, maxCreationsInFlight, defaults.externalId(),
        DelaySpread.parse(operationDelaySpread, operationDelaySeed)));
    // A granted user "does" a few things in the account, so that the demo has session activity to show.
    sandbox.cloudTrail().demoEvents(demoActivity);
    log.info("AWS sandbox (emulated organization {}) listening on {}", DemoOrganization.ORGANIZATION_ID, sandbox.endpoint());
    return sandbox;
  }
}
