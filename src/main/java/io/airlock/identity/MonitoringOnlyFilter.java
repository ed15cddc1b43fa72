package io.airlock.identity;

import io.airlock.audit.AuditLog;
import io.airlock.logging.LogSafe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Least privilege for machines: a member of the monitoring group ({@code airlock.metrics.group};
 * Prometheus' account, Keycloak's {@code airlock-metrics} service account) reads
 * {@code /actuator/prometheus} and nothing else. Everywhere else (Airlock's API and pages, the
 * engine REST API, the webapps and their API, the API docs, the rest of actuator) it is answered
 * 403 problem+json, whatever other groups it is in, with one WARN line and a
 * {@value #REFUSED} audit entry. It is placed in every security chain, after sign-in: it reads
 * the caller that Spring signed in (basic, bearer, the pages' session) or that the webapps'
 * session holds. A sign-in of such an account to the webapps is undone at once (403, no session):
 * an account that only scrapes has no use for one.
 */
final class MonitoringOnlyFilter extends OncePerRequestFilter {

  static final String REFUSED = "refused.machine";
  static final String METRICS = "/actuator/prometheus";
  private static final Pattern WEBAPP_LOGIN = Pattern.compile("/camunda/api/admin/auth/user/[^/]+/login/[^/]+");
  private static final String ENGINE = "default";
  private static final Logger REFUSALS = LoggerFactory.getLogger("io.airlock.refused");

  private final String group;
  private final AuditLog audit;

  MonitoringOnlyFilter(String group, AuditLog audit) {
    this.group = group;
    this.audit = audit;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return METRICS.equals(request.getRequestURI());
  }

  @Override
  protected boolean shouldNotFilterErrorDispatch() {
    return true; // the answer to an error already decided keeps its status
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String machine = machine(request);
    if (machine != null) {
      refuse(machine, request, response);
      return;
    }
    if (!"POST".equals(request.getMethod()) || !WEBAPP_LOGIN.matcher(request.getRequestURI()).matches()) {
      chain.doFilter(request, response);
      return;
    }
    // The webapps' own sign-in: held back until it is known who signed in.
    ContentCachingResponseWrapper held = new ContentCachingResponseWrapper(response);
    chain.doFilter(request, held);
    String signedIn = machine(request);
    if (signedIn == null) {
      held.copyBodyToResponse();
      return;
    }
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.invalidate();
    }
    response.reset();
    refuse(signedIn, request, response);
  }

  /** The caller, if it is a member of the monitoring group; else null. */
  private String machine(HttpServletRequest request) {
    Authentication spring = SecurityContextHolder.getContext().getAuthentication();
    if (spring != null && spring.isAuthenticated() && CurrentUser.groups(spring).contains(group)) {
      return spring.getName();
    }
    HttpSession session = request.getSession(false);
    Authentications auths = session == null ? null : AuthenticationUtil.getAuthsFromSession(session);
    if (auths != null && auths.getAuthenticationForProcessEngine(ENGINE) instanceof UserAuthentication user) {
      List<String> groups = user.getGroupIds() == null ? List.of() : List.copyOf(user.getGroupIds());
      if (groups.contains(group)) {
        return user.getName();
      }
    }
    return null;
  }

  private void refuse(String machine, HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getRequestURI();
    REFUSALS.warn("Refused: {} {} by {}: the monitoring group reads {} only", request.getMethod(), LogSafe.of(path),
        LogSafe.of(machine), METRICS);
    audit.refused(machine, REFUSED, null, Map.of("method", request.getMethod(), "path", path, "reason",
        "a member of the monitoring group " + group + " reads " + METRICS + " only"));
    Problems.write(response, HttpServletResponse.SC_FORBIDDEN, "Forbidden", machine + " is in the monitoring group '"
        + group + "': it reads the metrics at " + METRICS + " and nothing else");
  }
}
