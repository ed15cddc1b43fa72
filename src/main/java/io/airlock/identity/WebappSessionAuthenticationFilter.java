package io.airlock.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.webapp.impl.security.auth.Authentication;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets the Cockpit plugin read Airlock's API with the Cockpit session: a {@code GET} of
 * {@code /api/explorer} or {@code /api/audit} without credentials, from a browser signed in to
 * Cockpit (the webapps' own session, cookie and sign-in), is the signed-in user with their
 * groups. Only reads, only those paths, only a user the webapps authorized for Cockpit; the
 * endpoints check the groups again. Writes never take the session (no CSRF exposure), nor does
 * a request a browser marks {@code Sec-Fetch-Site: cross-site}.
 */
class WebappSessionAuthenticationFilter extends OncePerRequestFilter {

  static final Set<String> PATHS = Set.of("/api/explorer", "/api/audit");
  private static final String ENGINE = "default";

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    // A page of another site may make the browser send the cookie; it does not get the session.
    return !"GET".equals(request.getMethod()) || request.getHeader("Authorization") != null
        || !PATHS.contains(request.getRequestURI()) || "cross-site".equals(request.getHeader("Sec-Fetch-Site"));
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    HttpSession session = request.getSession(false);
    Authentications auths = session == null ? null : AuthenticationUtil.getAuthsFromSession(session);
    Authentication auth = auths == null ? null : auths.getAuthenticationForProcessEngine(ENGINE);
    if (auth instanceof UserAuthentication user && user.isAuthorizedForApp("cockpit")
        && SecurityContextHolder.getContext().getAuthentication() == null) {
      List<String> groups = user.getGroupIds() == null ? List.of() : user.getGroupIds();
      SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
          user.getName(), null, groups.stream()
              .map(g -> new SimpleGrantedAuthority(CamundaUserAuthenticationProvider.GROUP_PREFIX + g)).toList()));
    }
    chain.doFilter(request, response);
  }
}
