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

  @Bean(destroyMethod = "close")
  AwsSandbox awsSandbox(AirlockProperties properties,
      @org.springframework.beans.factory.annotation.Value("${airlock.aws.sandbox.demo-activity:true}") boolean demoActivity) {
    AirlockProperties.Sandbox s = properties.aws().sandbox();
    SandboxSettings defaults = SandboxSettings.defaults();
    AwsSandbox sandbox = AwsSandbox.start(new SandboxSettings(s.port(), s.operationDelay(),
        defaults.maxCallsPerSecond(), defaults.maxCreationsInFlight(), defaults.externalId()));
    // A granted user "does" a few things in the account, so that the demo has session activity to show.
    sandbox.cloudTrail().demoEvents(demoActivity);
    log.info("AWS sandbox (emulated organization {}) listening on {}", DemoOrganization.ORGANIZATION_ID, sandbox.endpoint());
    return sandbox;
  }
}
