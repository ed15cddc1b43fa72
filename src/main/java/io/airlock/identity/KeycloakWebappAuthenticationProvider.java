package io.airlock.identity;

import jakarta.servlet.http.HttpServletRequest;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.rest.security.auth.AuthenticationResult;
import org.camunda.bpm.engine.rest.security.auth.impl.ContainerBasedAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;

/**
 * Hands the person Spring Security signed in through Keycloak (OIDC) to the Camunda webapps
 * (Tasklist, Cockpit, Admin), with their groups as the engine's identity service (Keycloak)
 * has them. Instantiated by the webapps' {@code ContainerBasedAuthenticationFilter}, by class
 * name, hence public with a no-argument constructor.
 */
public class KeycloakWebappAuthenticationProvider extends ContainerBasedAuthenticationProvider {

  @Override
  public AuthenticationResult extractAuthenticatedUser(HttpServletRequest request, ProcessEngine engine) {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (!(auth instanceof OAuth2AuthenticationToken token) || !token.isAuthenticated()
        || token.getName() == null || token.getName().isBlank()) {
      return AuthenticationResult.unsuccessful();
    }
    String user = token.getName();
    AuthenticationResult result = new AuthenticationResult(user, true);
    result.setGroups(engine.getIdentityService().createGroupQuery().groupMember(user).list().stream()
        .map(Group::getId).toList());
    return result;
  }
}
