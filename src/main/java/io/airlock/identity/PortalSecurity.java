package io.airlock.identity;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import io.airlock.request.Caller;
import java.io.IOException;
import java.util.Optional;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * What Airlock's own pages (the portal at {@code /}) are, whoever signs people in: a session
 * with Spring Security's CSRF token on every write, a strict Content-Security-Policy (scripts and
 * styles only from Airlock itself, nothing inline, no framing), and one sign-in shared with the
 * Camunda webapps in both directions: a person signed in to Tasklist is signed in here, and a
 * person signed in here finds Tasklist and Cockpit signed in ({@link #signInToWebapps}).
 */
final class PortalSecurity {

  /** The portal's pages and assets. The REST API ({@code /api}) and the webapps are other chains. */
  static final String[] PAGES = {"/", "/sign-in", "/sign-out", "/requests", "/requests/**", "/access", "/access/**",
      "/reviews", "/reviews/**", "/explorer", "/explorer/**", "/audit", "/audit/**", "/policy", "/policy/**",
      "/portal/**", "/webjars/htmx.org/**", "/favicon.ico"};
  /** Open to a browser that is not signed in: the sign-in page and what it is drawn with. */
  static final String[] PUBLIC = {"/sign-in", "/portal/**", "/webjars/htmx.org/**", "/favicon.ico"};

  private static final String ENGINE = "default";

  private PortalSecurity() {
  }

  static RequestMatcher pages() {
    PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
    return new OrRequestMatcher(java.util.Arrays.stream(PAGES).map(p -> (RequestMatcher) path.matcher(p)).toList());
  }

  /**
   * The policy every page is served with. {@code formActions} are the other origins a form may
   * lead to (Keycloak's sign-out, which Chrome checks after the redirect too).
   */
  static String contentSecurityPolicy(String... formActions) {
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        + (formActions.length == 0 ? "" : " " + String.join(" ", formActions));
  }

  /** Everything but how people prove who they are. */
  static HttpSecurity common(HttpSecurity http, MonitoringOnlyFilter monitoringOnly, String... formActions)
      throws Exception {
    PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
    return http.securityMatcher(pages())
        .authorizeHttpRequests(a -> a
            .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
            .requestMatchers(java.util.Arrays.stream(PUBLIC).map(path::matcher).toArray(RequestMatcher[]::new))
            .permitAll()
            .anyRequest().authenticated())
        .headers(h -> h
            .contentSecurityPolicy(c -> c.policyDirectives(contentSecurityPolicy(formActions)))
            .frameOptions(f -> f.deny())
            .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)))
        // Signed in to Tasklist or Cockpit already: signed in here too.
        .addFilterBefore(new WebappSessionSignIn(),
            org.springframework.security.web.authentication.AnonymousAuthenticationFilter.class)
        // The monitoring group sees no page (it reads the metrics only).
        .addFilterBefore(monitoringOnly, org.springframework.security.web.access.intercept.AuthorizationFilter.class);
  }

  /**
   * After a sign-in on the portal's page: the Camunda webapps' session holds the same person, so
   * Tasklist and Cockpit open without a second sign-in (each still checks its own app
   * authorization: a person the webapps do not let in sees their "not authorized" page).
   */
  static void signInToWebapps(HttpServletRequest request, ProcessEngine engine, String user) {
    HttpSession session = request.getSession();
    UserAuthentication auth = AuthenticationUtil.createAuthentication(engine, user);
    if (auth == null) {
      return;
    }
    // As the webapps' own sign-in does: the authentication is re-checked against the identity
    // service when its cache time passes. Without a time, Camunda's filter re-checked it at once
    // through its static engine lookup, and in a JVM holding several engines (the test suite)
    // dropped other sessions' sign-ins: Cockpit's reads of /api/audit answered 401.
    auth.setCacheValidationTime(org.camunda.bpm.webapp.impl.util.ServletContextUtil
        .getAuthCacheValidationTime(request.getServletContext()));
    Authentications auths = AuthenticationUtil.getAuthsFromSession(session);
    auths.addOrReplace(auth);
    AuthenticationUtil.updateSession(session, auths);
  }

  /** Takes the person the webapps' session holds (whatever app they signed in to) as the portal's. */
  private static final class WebappSessionSignIn extends OncePerRequestFilter {
    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      Authentication current = SecurityContextHolder.getContext().getAuthentication();
      if (current == null || !current.isAuthenticated()) {
        Optional<Caller> user = webappUser(request);
        if (user.isPresent()) {
          Authentication auth = UsernamePasswordAuthenticationToken.authenticated(user.get().userId(), null,
              user.get().groups().stream()
                  .map(g -> new SimpleGrantedAuthority(CamundaUserAuthenticationProvider.GROUP_PREFIX + g)).toList());
          SecurityContext context = SecurityContextHolder.createEmptyContext();
          context.setAuthentication(auth);
          SecurityContextHolder.setContext(context);
          request.getSession().setAttribute(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY, context);
        }
      }
      chain.doFilter(request, response);
    }

    private static Optional<Caller> webappUser(HttpServletRequest request) {
      if ("cross-site".equals(request.getHeader("Sec-Fetch-Site"))) {
        return Optional.empty();
      }
      HttpSession session = request.getSession(false);
      Authentications auths = session == null ? null : AuthenticationUtil.getAuthsFromSession(session);
      if (auths != null && auths.getAuthenticationForProcessEngine(ENGINE) instanceof UserAuthentication user) {
        return Optional.of(new Caller(user.getName(),
            user.getGroupIds() == null ? java.util.List.of() : java.util.List.copyOf(user.getGroupIds())));
      }
      return Optional.empty();
    }
  }
}
