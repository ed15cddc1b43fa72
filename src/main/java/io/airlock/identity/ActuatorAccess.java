package io.airlock.identity;

import io.airlock.config.AirlockProperties;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Who reaches the actuator, the same with Camunda's users and with Keycloak: the probes a load
 * balancer and an orchestrator ask without credentials answer UP or DOWN (no components, no
 * details: application.yaml, management.endpoint.health); the metrics name accounts' activity,
 * so only the monitoring group ({@code airlock.metrics.group}), operators and admins read them.
 */
final class ActuatorAccess {

  private ActuatorAccess() {
  }

  static AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry rules(
      AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry a,
      AirlockProperties properties, String metricsGroup) {
    PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
    return a
        .requestMatchers(path.matcher(HttpMethod.GET, "/actuator/health/liveness"),
            path.matcher(HttpMethod.GET, "/actuator/health/readiness")).permitAll()
        .requestMatchers(path.matcher("/actuator/prometheus")).hasAnyAuthority(
            CamundaUserAuthenticationProvider.GROUP_PREFIX + metricsGroup,
            CamundaUserAuthenticationProvider.GROUP_PREFIX + properties.groups().operators(),
            CamundaUserAuthenticationProvider.GROUP_PREFIX + properties.groups().admins());
  }
}
