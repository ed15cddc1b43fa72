package io.airlock.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.config.AirlockProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The sandbox never runs with a real AWS setting: Airlock would report fake grants as real. */
class SandboxWithRealAwsTest {

  private static AirlockProperties.Aws aws(String endpoint, String roleArn) {
    return AirlockProperties.Aws.of("us-east-1", endpoint, roleArn, Duration.ofSeconds(20),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1),
        new AirlockProperties.Sandbox(true, 0, Duration.ZERO));
  }

  @Test
  void theSandboxAloneStarts() {
    assertThatCode(() -> AwsClientsConfiguration.refuseSandboxWithRealAws(aws(null, ""))).doesNotThrowAnyException();
  }

  @Test
  void theSandboxWithAnEndpointOrARoleRefusesToStartNamingBoth() {
    assertThatThrownBy(() -> AwsClientsConfiguration.refuseSandboxWithRealAws(aws("https://sso.us-east-1.amazonaws.com",
        null))).hasMessageContaining("airlock.aws.endpoint").hasMessageContaining("sandbox");
    assertThatThrownBy(() -> AwsClientsConfiguration.refuseSandboxWithRealAws(aws(null,
        "arn:aws:iam::111111111111:role/airlock"))).hasMessageContaining("airlock.aws.role-arn");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> AwsClientsConfiguration.refuseSandboxWithRealAws(
        aws("http://127.0.0.1:4566", "arn:aws:iam::111111111111:role/airlock"))).getMessage())
        .contains("airlock.aws.endpoint (AIRLOCK_AWS_ENDPOINT) and airlock.aws.role-arn (AIRLOCK_AWS_ROLE_ARN)");
  }
}
