package io.airlock.identity;

import io.airlock.request.SecondFactor;
import java.time.Clock;
import java.util.Optional;
import org.springframework.context.annotation.Profile;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;

/**
 * The second factor of the person acting now, with Keycloak: the claims {@code amr}, {@code acr}
 * and {@code auth_time} of the bearer token ({@code /api}, {@code /engine-rest}), or of the ID
 * token the browser session signed in with (Tasklist, Airlock's pages), judged by {@link StepUpRule}.
 * A session signed in any other way (none with Keycloak) says nothing of a second factor.
 */
@Component
@Profile("keycloak")
class KeycloakSecondFactor implements SecondFactor {

  private final KeycloakProperties keycloak;
  private final StepUpRule rule;
  private final Clock clock;

  KeycloakSecondFactor(KeycloakProperties keycloak, Clock clock) {
    this.keycloak = keycloak;
    this.rule = new StepUpRule(keycloak.stepUp(), keycloak.clockSkew());
    this.clock = clock;
  }

  @Override
  public Optional<Missing> missing() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    boolean bearer = auth instanceof JwtAuthenticationToken;
    return rule.missing(signIn(auth), clock.instant())
        .map(reason -> new Missing(reason, keycloak.stepUp().maxAge(), keycloak.stepUp().acrValues(), bearer));
  }

  static StepUpRule.SignIn signIn(Authentication auth) {
    if (auth instanceof JwtAuthenticationToken token) {
      Jwt jwt = token.getToken();
      return new StepUpRule.SignIn(jwt.getClaimAsInstant("auth_time"), jwt.getClaimAsStringList("amr"),
          jwt.getClaimAsString("acr"));
    }
    if (auth instanceof OAuth2AuthenticationToken token && token.getPrincipal() instanceof OidcUser user) {
      return new StepUpRule.SignIn(user.getAuthenticatedAt(), user.getAuthenticationMethods(),
          user.getAuthenticationContextClass());
    }
    return null;
  }
}
