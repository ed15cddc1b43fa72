package io.airlock.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import io.airlock.request.Caller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.camunda.bpm.webapp.impl.security.auth.Authentication;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.camunda.bpm.webapp.impl.security.filter.util.CsrfConstants;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets Airlock's webapp plugins call Airlock's API with the webapps' session (their own cookie
 * and sign-in), without credentials of their own: the signed-in user with their groups, for a
 * few calls only, each for the users of one webapp; the endpoints check the groups again.
 * <ul>
 *   <li>Cockpit's "Audit &amp; explorer": {@code GET /api/explorer}, {@code GET /api/audit};
 *   <li>Tasklist's "My requests" and start form: {@code GET /api/requests}, {@code GET /api/catalog},
 *       and {@code POST /api/requests/{id}/withdraw}.
 * </ul>
 * The one write takes the session only with the webapps' CSRF token: the {@code X-XSRF-TOKEN}
 * header must equal the token Camunda's CSRF filter keeps in the session (a page of another site
 * cannot read it), and the request must not come from another site ({@link CrossSiteWriteFilter}'s
 * rule). A request a browser marks {@code Sec-Fetch-Site: cross-site} never gets the session, not
 * even to read.
 */
class WebappSessionAuthenticationFilter extends OncePerRequestFilter {

  /** Reads, by path, and the webapp whose users may make them. */
  static final Map<String, String> READS = Map.of(
      "/api/explorer", "cockpit",
      "/api/audit", "cockpit",
      "/api/requests", "tasklist",
      "/api/catalog", "tasklist");
  /** Writes the session may make (with the CSRF token), and the webapp whose users may. */
  static final Pattern WITHDRAW = Pattern.compile("/api/requests/[A-Za-z0-9_-]{1,64}/withdraw");
  private static final String ENGINE = "default";

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    // A page of another site may make the browser send the cookie; it does not get the session.
    return request.getHeader("Authorization") != null || "cross-site".equals(request.getHeader("Sec-Fetch-Site"))
        || app(request) == null;
  }

  private static String app(HttpServletRequest request) {
    String uri = request.getRequestURI();
    if ("GET".equals(request.getMethod())) {
      return READS.get(uri);
    }
    if ("POST".equals(request.getMethod()) && WITHDRAW.matcher(uri).matches()
        && CrossSiteWriteFilter.crossSiteReason(request) == null && csrfTokenMatches(request)) {
      return "tasklist";
    }
    return null;
  }

  /** The webapps' CSRF token, sent back in the header as Tasklist's own writes do. */
  private static boolean csrfTokenMatches(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    String header = request.getHeader(CsrfConstants.CSRF_TOKEN_HEADER_NAME);
    Object token = session == null ? null : session.getAttribute(CsrfConstants.CSRF_TOKEN_SESSION_ATTR_NAME);
    return header != null && token instanceof String t && !t.isEmpty()
        && MessageDigest.isEqual(t.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<Caller> user = signedIn(request, app(request));
    if (user.isPresent() && SecurityContextHolder.getContext().getAuthentication() == null) {
      SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
          user.get().userId(), null, user.get().groups().stream()
              .map(g -> new SimpleGrantedAuthority(CamundaUserAuthenticationProvider.GROUP_PREFIX + g)).toList()));
    }
    chain.doFilter(request, response);
  }

  /** The user signed in to the webapps with this request's session, if the webapps let them into {@code app}. */
  static Optional<Caller> signedIn(HttpServletRequest request, String app) {
    HttpSession session = request.getSession(false);
    Authentications auths = session == null ? null : AuthenticationUtil.getAuthsFromSession(session);
    Authentication auth = auths == null ? null : auths.getAuthenticationForProcessEngine(ENGINE);
    if (app != null && auth instanceof UserAuthentication user && user.isAuthorizedForApp(app)) {
      List<String> groups = user.getGroupIds() == null ? List.of() : List.copyOf(user.getGroupIds());
      return Optional.of(new Caller(user.getName(), groups));
    }
    return Optional.empty();
  }
}
