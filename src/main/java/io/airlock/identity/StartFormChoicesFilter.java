package io.airlock.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.policy.PolicyCatalog;
import io.airlock.policy.StartFormChoices;
import io.airlock.request.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Gives Tasklist's start form "Request AWS access" the signed-in user's choices: Tasklist reads a
 * Camunda Form start form from the webapps' engine API ({@code .../process-definition/{id}/deployed-start-form})
 * and has no variables to fill its selects with, so the form is answered with the user's
 * accounts, permissions and durations written into it ({@link StartFormChoices}). Only that
 * form, only for a user signed in to Tasklist (the webapps' own session); any other answer passes
 * unchanged, and a form that cannot be personalized is served as deployed.
 */
class StartFormChoicesFilter extends OncePerRequestFilter {

  static final String PREFIX = "/camunda/api/engine/engine/";
  static final String SUFFIX = "/deployed-start-form";
  private static final Logger log = LoggerFactory.getLogger(StartFormChoicesFilter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PolicyCatalog catalog;
  private final Duration minDuration;

  StartFormChoicesFilter(PolicyCatalog catalog, Duration minDuration) {
    this.catalog = catalog;
    this.minDuration = minDuration;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String uri = request.getRequestURI();
    return !"GET".equals(request.getMethod()) || !uri.startsWith(PREFIX) || !uri.endsWith(SUFFIX);
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<Caller> user = WebappSessionAuthenticationFilter.signedIn(request, "tasklist");
    if (user.isEmpty()) {
      chain.doFilter(request, response);
      return;
    }
    ContentCachingResponseWrapper wrapper = new ContentCachingResponseWrapper(response);
    chain.doFilter(request, wrapper);
    byte[] body = wrapper.getContentAsByteArray();
    if (wrapper.getStatus() == 200 && body.length > 0) {
      try {
        JsonNode form = JSON.readTree(body);
        if (StartFormChoices.FORM_ID.equals(form.path("id").asText())) {
          byte[] personal = JSON.writeValueAsBytes(
              StartFormChoices.personalize(form, catalog.forUser(user.get()), minDuration));
          wrapper.resetBuffer();
          response.setContentType("application/json");
          response.setCharacterEncoding(StandardCharsets.UTF_8.name());
          response.setContentLength(personal.length);
          response.getOutputStream().write(personal);
          response.flushBuffer();
          return;
        }
      } catch (IOException | RuntimeException e) {
        log.warn("Could not write {}'s choices into the start form; serving it as deployed: {}",
            user.get().userId(), e.toString());
      }
    }
    wrapper.copyBodyToResponse();
  }
}
