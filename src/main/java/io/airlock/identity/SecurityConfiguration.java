package io.airlock.identity;

import io.airlock.config.MetricsProperties;
import jakarta.servlet.http.HttpServletResponse;
import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Nothing answers without sign-in. Airlock's REST API, the engine REST API (Camunda Modeler
 * deploys through it), the API docs and actuator take HTTP basic against the Camunda users;
 * the Camunda webapps (Cockpit, Tasklist, Admin) have their own sign-in page and session, and
 * their own CSRF protection, so Spring leaves them to it.
 *
 * <p>No answer carries a {@code WWW-Authenticate} header: a Basic challenge makes browsers pop
 * up a login dialog (over the webapps too, whose error answers are forwarded to {@code /error}).
 * Scripts send their credentials preemptively ({@code curl -u}) and read the problem+json.
 * Error dispatches keep the status the webapp or endpoint chose; Spring Boot's error body
 * carries no message, exception or trace (application.yaml, {@code server.error}).
 *
 * <p>Not in the {@code keycloak} profile: {@link KeycloakSecurityConfiguration} signs people in there.
 */
@Configuration(proxyBeanMethods = false)
@Profile("!keycloak")
class SecurityConfiguration {

  private static final String SIGN_IN = "Sign in: this endpoint needs HTTP basic authentication (or a bearer token)";

  /** Slack's callbacks: no sign-in, each verified by its signature instead ({@link ChatCallbackSecurity}). */
  @Bean
  @Order(-1)
  SecurityFilterChain slackCallbacks(HttpSecurity http) throws Exception {
    return ChatCallbackSecurity.chain(http).build();
  }

  @Bean
  @Order(1)
  SecurityFilterChain webapps(HttpSecurity http, MetricsProperties metrics, AuditLog audit) throws Exception {
    // Whole-path matchers: the webapps are not served by Spring MVC's DispatcherServlet.
    PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
    http.securityMatcher(path.matcher("/camunda/**"))
        .authorizeHttpRequests(a -> a.anyRequest().permitAll())
        // The webapps' sign-out button ends the whole session: Airlock's pages sign out with it
        // (they share the session, as they share the sign-in). Forged from another site: refused.
        .logout(l -> l.logoutRequestMatcher(path.matcher(org.springframework.http.HttpMethod.POST,
                "/camunda/api/admin/auth/user/{engine}/logout"))
            .logoutSuccessHandler(new org.springframework.security.web.authentication.logout
                .HttpStatusReturningLogoutSuccessHandler(org.springframework.http.HttpStatus.NO_CONTENT)))
        .addFilterBefore(new CrossSiteWriteFilter(), org.springframework.security.web.authentication.logout.LogoutFilter.class)
        // The monitoring group's sign-in to the webapps is undone, its session refused.
        .addFilterAfter(new MonitoringOnlyFilter(metrics.group(), audit),
            org.springframework.security.web.authentication.logout.LogoutFilter.class)
        .csrf(c -> c.disable())
        .headers(h -> h.frameOptions(f -> f.sameOrigin()));
    return http.build();
  }

  /**
   * Airlock's own pages: its sign-in page (the Camunda users' passwords), which also signs the
   * person in to the webapps, and a session with CSRF tokens ({@link PortalSecurity}).
   */
  @Bean
  @Order(0)
  SecurityFilterChain portal(HttpSecurity http, CamundaUserAuthenticationProvider users,
      org.camunda.bpm.engine.ProcessEngine engine, MetricsProperties metrics, AuditLog audit) throws Exception {
    PortalSecurity.common(http, new MonitoringOnlyFilter(metrics.group(), audit))
        .authenticationProvider(users)
        .formLogin(f -> f.loginPage("/sign-in").failureUrl("/sign-in?failed")
            .successHandler(new SignInSuccess(engine, metrics.group(), audit)))
        .logout(l -> l.logoutUrl("/sign-out").logoutSuccessUrl("/sign-in?signed-out"));
    return http.build();
  }

  /** After the portal's sign-in: the webapps hold the person too, then back to the page that was asked for. */
  private static final class SignInSuccess
      extends org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler {
    private final org.camunda.bpm.engine.ProcessEngine engine;
    private final String monitoringGroup;
    private final AuditLog audit;

    SignInSuccess(org.camunda.bpm.engine.ProcessEngine engine, String monitoringGroup, AuditLog audit) {
      this.engine = engine;
      this.monitoringGroup = monitoringGroup;
      this.audit = audit;
      setDefaultTargetUrl("/");
    }

    @Override
    public void onAuthenticationSuccess(jakarta.servlet.http.HttpServletRequest request, HttpServletResponse response,
        org.springframework.security.core.Authentication authentication)
        throws java.io.IOException, jakarta.servlet.ServletException {
      if (CurrentUser.groups(authentication).contains(monitoringGroup)) {
        // A machine that reads the metrics has no pages: no session (MonitoringOnlyFilter).
        org.slf4j.LoggerFactory.getLogger("io.airlock.refused").warn("Refused: the pages' sign-in of {}: the "
            + "monitoring group reads {} only", io.airlock.logging.LogSafe.of(authentication.getName()),
            MonitoringOnlyFilter.METRICS);
        audit.refused(authentication.getName(), MonitoringOnlyFilter.REFUSED, null, java.util.Map.of("method",
            "POST", "path", "/sign-in", "reason", "a member of the monitoring group " + monitoringGroup + " reads "
            + MonitoringOnlyFilter.METRICS + " only"));
        org.springframework.security.core.context.SecurityContextHolder.clearContext();
        request.getSession().invalidate();
        Problems.write(response, HttpServletResponse.SC_FORBIDDEN, "Forbidden", authentication.getName()
            + " is in the monitoring group '" + monitoringGroup + "': it reads the metrics at "
            + MonitoringOnlyFilter.METRICS + " and nothing else");
        return;
      }
      PortalSecurity.signInToWebapps(request, engine, authentication.getName());
      super.onAuthenticationSuccess(request, response, authentication);
    }
  }

  @Bean
  @Order(2)
  SecurityFilterChain api(HttpSecurity http, CamundaUserAuthenticationProvider users, IdentityService identity,
      AirlockProperties properties, MetricsProperties metrics, AuditLog audit) throws Exception {
    AuthenticationEntryPoint signIn = (req, res, e) -> {
      if (e instanceof CamundaUserAuthenticationProvider.Unreachable away) {
        Outages.audit(audit, away.user, away.outage, req);
        Outages.write(res, away.outage);
        return;
      }
      Problems.write(res, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized", SIGN_IN);
    };
    ApiSecurity.common(http, properties, metrics, audit, identity, signIn, BasicAuthenticationFilter.class)
        .authenticationProvider(users)
        .httpBasic(b -> b.authenticationEntryPoint(signIn));
    return http.build();
  }
}
