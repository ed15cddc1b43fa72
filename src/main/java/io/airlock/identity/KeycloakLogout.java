package io.airlock.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.authentication.logout.LogoutSuccessHandler;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * Single sign-out: leaving Airlock ends the Keycloak session too, so the next visit asks for
 * the password (and OTP) again.
 * <ul>
 *   <li>{@code POST /logout} (a browser navigation): redirect to Keycloak's end-session endpoint
 *       with the ID token as hint, back to Airlock afterwards (RP-initiated logout);
 *   <li>the webapps' sign-out button (an XHR of the webapps, which then show their start page):
 *       Airlock asks Keycloak's end-session endpoint itself, at the internal URL, with the ID token
 *       (which names the Keycloak session) and answers 204.
 * </ul>
 */
class KeycloakLogout implements LogoutSuccessHandler {

  private static final Logger log = LoggerFactory.getLogger(KeycloakLogout.class);

  private final ClientRegistration registration;
  private final String backChannelEndSession;
  private final OidcClientInitiatedLogoutSuccessHandler redirect;
  private final RestClient http = RestClient.create();

  /**
   * @param registration the sign-in's client, whose {@code end_session_endpoint} (public) the browser is sent to
   * @param backChannelEndSession the same endpoint at the internal URL, which this node calls itself
   */
  KeycloakLogout(ClientRegistration registration, String backChannelEndSession) {
    this.registration = registration;
    this.backChannelEndSession = backChannelEndSession;
    this.redirect = new OidcClientInitiatedLogoutSuccessHandler(new InMemoryClientRegistrationRepository(registration));
    this.redirect.setPostLogoutRedirectUri("{baseUrl}/");
  }

  @Override
  public void onLogoutSuccess(HttpServletRequest request, HttpServletResponse response, Authentication authentication)
      throws IOException, jakarta.servlet.ServletException {
    if ("/logout".equals(request.getRequestURI())) {
      redirect.onLogoutSuccess(request, response, authentication);
      return;
    }
    if (authentication != null && authentication.getPrincipal() instanceof OidcUser user) {
      MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
      form.add("id_token_hint", user.getIdToken().getTokenValue());
      form.add("client_id", registration.getClientId());
      form.add("client_secret", registration.getClientSecret());
      try {
        http.post().uri(backChannelEndSession)
            .contentType(MediaType.APPLICATION_FORM_URLENCODED).body(form).retrieve().toBodilessEntity();
      } catch (RestClientException e) {
        // Airlock's session is gone either way; Keycloak's ends at its idle timeout.
        log.warn("Keycloak did not end the session of {} at sign-out: {}", user.getName(), e.getMessage());
      }
    }
    response.setStatus(HttpServletResponse.SC_NO_CONTENT);
  }
}
