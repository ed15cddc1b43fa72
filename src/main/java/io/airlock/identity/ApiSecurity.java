package io.airlock.identity;

import io.airlock.config.MetricsProperties;
import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * What the API chain (/api, /engine-rest, API docs, actuator) is, whoever signs people in
 * (Camunda's users with HTTP basic, or Keycloak's bearer tokens): stateless, problem+json for
 * 401 and 403, cross-site writes refused, the Cockpit/Tasklist session for the few reads and the
 * withdraw that accept it, the engine told who calls, JSON bodies checked. Who reaches the
 * actuator is the same too: the probes a load
 * balancer and an orchestrator ask without credentials answer UP or DOWN (no components, no
 * details: application.yaml, management.endpoint.health); the metrics name accounts' activity,
 * so only the monitoring group ({@code airlock.metrics.group}), operators and admins read them,
 * and the monitoring group nothing else ({@link MonitoringOnlyFilter}).
 */
final class ApiSecurity {

  private ApiSecurity() {
  }

  /**
   * Everything but how a caller proves who they are; {@code authentication} is the filter that
   * does (basic or bearer), around which Airlock's own filters are placed.
   */
  static HttpSecurity common(HttpSecurity http, AirlockProperties properties, MetricsProperties metrics,
      AuditLog audit, IdentityService identity, AuthenticationEntryPoint signIn, Class<? extends Filter> authentication)
      throws Exception {
    String metricsGroup = metrics.group();
    return http.authorizeHttpRequests(a -> actuatorRules(a
            // The answer to an error that was already decided (a webapp's 404, a filter's 401):
            // keep its status rather than turn it into a 401 of this chain.
            .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll(), properties, metricsGroup)
            .anyRequest().authenticated())
        // Actuator's health roles (GROUP_...) are matched against the authorities as they are.
        .servletApi(s -> s.rolePrefix(""))
        .exceptionHandling(x -> x
            .authenticationEntryPoint(signIn)
            .accessDeniedHandler((req, res, e) -> Problems.write(res, HttpServletResponse.SC_FORBIDDEN, "Forbidden",
                "You are signed in but may not do this")))
        // Stateless clients with credentials on every call: no session, so no CSRF token;
        // browsers' cross-site writes are refused by origin instead.
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(c -> c.disable())
        .addFilterBefore(new CrossSiteWriteFilter(), authentication)
        // The Cockpit plugin and Tasklist's My requests use the webapps' session.
        .addFilterBefore(new WebappSessionAuthenticationFilter(), authentication)
        .addFilterAfter(new EngineAuthenticationFilter(identity), authentication)
        // The monitoring group reads the metrics and nothing else (before any other rule).
        .addFilterBefore(new MonitoringOnlyFilter(metricsGroup, audit), AuthorizationFilter.class)
        .addFilterAfter(new JsonBodyFilter(), AuthorizationFilter.class);
  }

  private static AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry actuatorRules(
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
