package io.airlock.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import io.airlock.request.SecondFactor;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Step-up in the browser: a person whose approval was refused for want of a recent second factor
 * opens {@value #PATH}{@code ?continue=<where they were>} (Tasklist's task, the link the refusal
 * names). Airlock sends them to Keycloak with an authorization request that makes Keycloak
 * authenticate them afresh ({@code prompt=login}, {@code max_age}, and {@code acr_values} when
 * configured): password and, for approvers, their second factor (TOTP or a security key); the
 * new ID token replaces the session's, and they come back where they were, to approve again.
 */
final class KeycloakStepUp {

  /** Where the browser is sent to step up. */
  static final String PATH = "/login/step-up";
  /** The marker on {@code /oauth2/authorization/keycloak} that asks for a fresh authentication. */
  private static final String MARKER = "step-up";
  private static final String CONTINUE = KeycloakStepUp.class.getName() + ".continue";
  private static final String DEFAULT_CONTINUE = "/camunda/app/tasklist/";

  private KeycloakStepUp() {}

  /**
   * The authorization requests of the sign-in: PKCE always; for a step-up also the parameters
   * that make Keycloak ask for the second factor again.
   */
  static OAuth2AuthorizationRequestResolver resolver(ClientRegistrationRepository registrations,
      KeycloakProperties keycloak) {
    DefaultOAuth2AuthorizationRequestResolver pkce = new DefaultOAuth2AuthorizationRequestResolver(
        registrations, OAuth2AuthorizationRequestRedirectFilter.DEFAULT_AUTHORIZATION_REQUEST_BASE_URI);
    pkce.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
    return new OAuth2AuthorizationRequestResolver() {
      @Override
      public OAuth2AuthorizationRequest resolve(HttpServletRequest request) {
        return stepUp(request, pkce.resolve(request));
      }

      @Override
      public OAuth2AuthorizationRequest resolve(HttpServletRequest request, String registrationId) {
        return stepUp(request, pkce.resolve(request, registrationId));
      }

      private OAuth2AuthorizationRequest stepUp(HttpServletRequest request, OAuth2AuthorizationRequest authorization) {
        if (authorization == null || request.getParameter(MARKER) == null) {
          return authorization;
        }
        return OAuth2AuthorizationRequest.from(authorization)
            .additionalParameters(p -> p.putAll(parameters(keycloak.stepUp())))
            .build();
      }
    };
  }

  /** What a step-up asks of Keycloak: a fresh sign-in, and the acr values when there are any. */
  static Map<String, Object> parameters(KeycloakProperties.StepUp stepUp) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("prompt", "login");
    p.put("max_age", String.valueOf(stepUp.maxAge().toSeconds()));
    if (!stepUp.acrValues().isEmpty()) {
      p.put("acr_values", String.join(" ", stepUp.acrValues()));
    }
    return p;
  }

  /** After the sign-in: back where the step-up was asked from, else where Spring saved. */
  static AuthenticationSuccessHandler successHandler() {
    SavedRequestAwareAuthenticationSuccessHandler saved = new SavedRequestAwareAuthenticationSuccessHandler();
    return (request, response, authentication) -> {
      HttpSession session = request.getSession(false);
      Object target = session == null ? null : session.getAttribute(CONTINUE);
      if (target instanceof String path) {
        session.removeAttribute(CONTINUE);
        response.sendRedirect(request.getContextPath() + path);
        return;
      }
      saved.onAuthenticationSuccess(request, response, authentication);
    };
  }

  /**
   * {@value #PATH}: remembers where to come back to, and starts the step-up sign-in; a session
   * whose sign-in does for approving already goes straight back.
   */
  static final class Entry extends OncePerRequestFilter {
    private final SecondFactor secondFactor;

    Entry(SecondFactor secondFactor) {
      this.secondFactor = secondFactor;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
      return !("GET".equals(request.getMethod()) && PATH.equals(request.getServletPath()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      String target = localPath(request.getParameter("continue"));
      if (secondFactor.missing().isEmpty()) {
        response.sendRedirect(request.getContextPath() + target);
        return;
      }
      request.getSession().setAttribute(CONTINUE, target);
      response.sendRedirect(request.getContextPath() + OAuth2AuthorizationRequestRedirectFilter
          .DEFAULT_AUTHORIZATION_REQUEST_BASE_URI + "/" + KeycloakSecurityConfiguration.REGISTRATION + "?" + MARKER);
    }
  }

  /** {@code path} when it is a path of Airlock's (never another site), else Tasklist. */
  static String localPath(String path) {
    if (path == null || !path.startsWith("/") || path.startsWith("//") || path.contains("\\")
        || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return DEFAULT_CONTINUE;
    }
    return path;
  }
}
