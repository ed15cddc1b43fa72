package io.airlock.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Airlock's own API takes JSON bodies only: a write to {@code /api/**} that carries a body of any
 * other type is 415, for every endpoint alike (a form or text/plain body is what an HTML form
 * on another site can send without a CORS preflight). A write without a body (revoke) passes.
 */
class JsonBodyFilter extends OncePerRequestFilter {

  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return SAFE.contains(request.getMethod()) || !(path.equals("/api") || path.startsWith("/api/"));
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (hasBody(request) && !isJson(request.getContentType()) && !isDmnUpload(request)) {
      Problems.write(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
          "Send the body as application/json (Content-Type was "
              + (request.getContentType() == null ? "absent" : "'" + request.getContentType() + "'") + ")");
      return;
    }
    chain.doFilter(request, response);
  }

  /**
   * The one exception: the policy simulation takes a DMN file (multipart or XML). It changes
   * nothing, so a cross-site form posting to it gains nothing (and CrossSiteWriteFilter refuses
   * it before).
   */
  private static boolean isDmnUpload(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (!"POST".equals(request.getMethod()) || !path.equals("/api/policies/simulate")
        || request.getContentType() == null) {
      return false;
    }
    try {
      MediaType type = MediaType.parseMediaType(request.getContentType());
      if (type.isWildcardType() || type.isWildcardSubtype()) {
        return false;
      }
      return type.isCompatibleWith(MediaType.MULTIPART_FORM_DATA) || type.isCompatibleWith(MediaType.APPLICATION_XML)
          || type.isCompatibleWith(MediaType.TEXT_XML) || type.isCompatibleWith(MediaType.valueOf("application/dmn+xml"));
    } catch (InvalidMediaTypeException e) {
      return false;
    }
  }

  private static boolean hasBody(HttpServletRequest request) {
    return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    try {
      MediaType type = MediaType.parseMediaType(contentType);
      return type.isCompatibleWith(MediaType.APPLICATION_JSON) && !type.isWildcardType() && !type.isWildcardSubtype();
    } catch (InvalidMediaTypeException e) {
      return false;
    }
  }
}
