package io.airlock.identity;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.webapp.impl.security.auth.Authentication;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.InteractiveAuthenticationSuccessEvent;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Sign-ins of approvers and admins in the audit log ({@value #ACTION}): the Camunda webapps'
 * sign-in (Tasklist, Cockpit, Admin: where approvers review and admins repair), and any
 * interactive Spring Security sign-in (a form or OIDC login, with Keycloak). Calls of the REST
 * API with credentials on every request are not sign-ins: recording each would bury the log;
 * what they change is audited on its own. Written in a transaction of its own once the sign-in
 * has succeeded; a failing write is logged and does not refuse the sign-in.
 */
@Configuration(proxyBeanMethods = false)
class SignInAudit {

  static final String ACTION = "signin";
  static final String LOGIN_PATHS = "/camunda/api/admin/auth/user/*";
  private static final String ENGINE = "default";
  private static final Logger log = LoggerFactory.getLogger(SignInAudit.class);

  private final AuditLog audit;
  private final AirlockProperties properties;
  private final TransactionTemplate tx;

  SignInAudit(AuditLog audit, AirlockProperties properties, PlatformTransactionManager transactions) {
    this.audit = audit;
    this.properties = properties;
    this.tx = new TransactionTemplate(transactions);
  }

  @Bean
  FilterRegistrationBean<OncePerRequestFilter> webappSignInAudit() {
    FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new WebappLogins());
    registration.addUrlPatterns(LOGIN_PATHS);
    registration.setName("airlockWebappSignInAudit");
    return registration;
  }

  @EventListener
  void interactive(InteractiveAuthenticationSuccessEvent event) {
    List<String> groups = event.getAuthentication().getAuthorities().stream().map(GrantedAuthority::getAuthority)
        .filter(a -> a.startsWith(CamundaUserAuthenticationProvider.GROUP_PREFIX))
        .map(a -> a.substring(CamundaUserAuthenticationProvider.GROUP_PREFIX.length())).toList();
    record(event.getAuthentication().getName(), groups, Map.of("via", event.getGeneratedBy().getSimpleName()));
  }

  /** Records the sign-in of a member of the approver or admin groups. */
  void record(String user, List<String> groups, Map<String, Object> how) {
    AirlockProperties.Groups g = properties.groups();
    List<String> privileged = groups.stream().filter(x -> x.equals(g.approvers()) || x.equals(g.admins())).toList();
    if (user == null || privileged.isEmpty()) {
      return;
    }
    Map<String, Object> details = new LinkedHashMap<>(how);
    details.put("groups", privileged);
    try {
      tx.executeWithoutResult(s -> audit.record(user, ACTION, null, details));
    } catch (RuntimeException e) {
      log.warn("Sign-in of {} not audited: {}", user, e.toString());
    }
  }

  /** After a successful POST .../login/{app}: who the webapps' session now holds. */
  private final class WebappLogins extends OncePerRequestFilter {
    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      chain.doFilter(request, response);
      String path = request.getRequestURI();
      int at = path.indexOf("/login/");
      if (!"POST".equals(request.getMethod()) || at < 0 || response.getStatus() != 200) {
        return;
      }
      HttpSession session = request.getSession(false);
      Authentications auths = session == null ? null : AuthenticationUtil.getAuthsFromSession(session);
      Authentication auth = auths == null ? null : auths.getAuthenticationForProcessEngine(ENGINE);
      if (auth instanceof UserAuthentication user) {
        Map<String, Object> how = new LinkedHashMap<>();
        how.put("via", "webapp");
        how.put("app", path.substring(at + "/login/".length()));
        String address = request.getRemoteAddr();
        if (address != null) {
          how.put("remoteAddress", address);
        }
        record(user.getName(), user.getGroupIds() == null ? List.of() : List.copyOf(user.getGroupIds()), how);
      }
    }
  }
}
