package io.airlock.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses writes that a browser sends on behalf of another site, whatever their content type:
 * a non-safe method whose {@code Origin} is present and not this server's own origin, or whose
 * {@code Sec-Fetch-Site} is {@code cross-site}. Runs before authentication, so a cross-site
 * request neither acts with the browser's credentials nor counts as a failed sign-in. Clients
 * that are not browsers (curl, Camunda Modeler, other systems) send neither header and pass.
 */
class CrossSiteWriteFilter extends OncePerRequestFilter {

  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String reason = SAFE.contains(request.getMethod()) ? null : crossSiteReason(request);
    if (reason != null) {
      Problems.write(response, HttpServletResponse.SC_FORBIDDEN, "Cross-site request refused", reason);
      return;
    }
    chain.doFilter(request, response);
  }

  static String crossSiteReason(HttpServletRequest request) {
    String fetchSite = request.getHeader("Sec-Fetch-Site");
    if (fetchSite != null && fetchSite.trim().equalsIgnoreCase("cross-site")) {
      return "A " + request.getMethod() + " sent by a browser from another site (Sec-Fetch-Site: cross-site) "
          + "changes nothing here";
    }
    String origin = request.getHeader("Origin");
    if (origin != null && !sameOrigin(origin.trim(), request)) {
      return "A " + request.getMethod() + " from another origin changes nothing here; "
          + "Origin must be this server's own origin or absent";
    }
    return null;
  }

  private static boolean sameOrigin(String origin, HttpServletRequest request) {
    URI uri;
    try {
      uri = URI.create(origin);
    } catch (IllegalArgumentException e) {
      return false; // includes "null" (sandboxed frames, file:, redirects across origins)
    }
    if (uri.getScheme() == null || uri.getHost() == null
        || (uri.getPath() != null && !uri.getPath().isEmpty()) || uri.getQuery() != null) {
      return false;
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    return scheme.equals(request.getScheme().toLowerCase(Locale.ROOT))
        && uri.getHost().equalsIgnoreCase(request.getServerName())
        && port(scheme, uri.getPort()) == port(request.getScheme().toLowerCase(Locale.ROOT), request.getServerPort());
  }

  private static int port(String scheme, int port) {
    if (port > 0) {
      return port;
    }
    return "https".equals(scheme) ? 443 : 80;
  }
}
