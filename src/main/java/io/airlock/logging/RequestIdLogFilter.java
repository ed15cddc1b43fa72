package io.airlock.logging;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts the access request's id into the logging MDC ({@value #KEY}) while a REST call on one
 * request ({@code /api/requests/{id}/...}) is handled, so its log lines carry it as the engine's
 * lines do (the engine's {@code loggingContextBusinessKey}, the same key). Only ids of the
 * expected shape are taken, so nothing from the path forges a log field.
 */
@Component
public class RequestIdLogFilter extends OncePerRequestFilter {

  /** The MDC key of the access request id in every log line about one request. */
  public static final String KEY = "airlock.request";

  private static final Pattern REQUEST_PATH = Pattern.compile("/api/requests/([A-Za-z0-9-]{1,64})(?:/.*)?");

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Matcher m = REQUEST_PATH.matcher(request.getRequestURI().substring(request.getContextPath().length()));
    if (!m.matches()) {
      chain.doFilter(request, response);
      return;
    }
    try (MDC.MDCCloseable ignored = MDC.putCloseable(KEY, m.group(1))) {
      chain.doFilter(request, response);
    }
  }
}
