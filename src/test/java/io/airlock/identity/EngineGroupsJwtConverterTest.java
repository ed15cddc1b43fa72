package io.airlock.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Which claim names the user (AIRLOCK_KEYCLOAK_USER_ID: USERNAME → preferred_username, EMAIL →
 * email), and that the groups are the identity service's now, never the token's claim.
 */
class EngineGroupsJwtConverterTest {

  private final IdentityService identity = mock(IdentityService.class, RETURNS_DEEP_STUBS);

  @Test
  void withEmailAsUserIdTheUserIsTheEmailAndTheGroupsAreKeycloaksNotTheTokens() {
    Group approvers = mock(Group.class);
    when(approvers.getId()).thenReturn("airlock-approvers");
    when(identity.createGroupQuery().groupMember("bob@example.com").list()).thenReturn(List.of(approvers));

    var auth = new EngineGroupsJwtConverter(identity, KeycloakProperties.UserId.EMAIL.claim()).convert(jwt());

    assertThat(auth.getName()).isEqualTo("bob@example.com");
    assertThat(auth.getAuthorities()).extracting(GrantedAuthority::getAuthority)
        .containsExactly(CamundaUserAuthenticationProvider.GROUP_PREFIX + "airlock-approvers");
    assertThat(CurrentUser.of(auth).groups()).containsExactly("airlock-approvers");
  }

  @Test
  void withUserNameAsUserIdTheUserIsThePreferredUserName() {
    when(identity.createGroupQuery().groupMember("bob").list()).thenReturn(List.of());

    var auth = new EngineGroupsJwtConverter(identity, KeycloakProperties.UserId.USERNAME.claim()).convert(jwt());

    assertThat(auth.getName()).isEqualTo("bob");
    // The token says airlock-admins; Keycloak says no group now: no authority.
    assertThat(auth.getAuthorities()).isEmpty();
  }

  @Test
  void aTokenWithoutTheClaimIsRefused() {
    Jwt noEmail = Jwt.withTokenValue("t").header("alg", "RS256").subject("s").claim("preferred_username", "bob")
        .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(60)).build();
    assertThatThrownBy(() -> new EngineGroupsJwtConverter(identity, "email").convert(noEmail))
        .isInstanceOf(OAuth2AuthenticationException.class);
  }

  /**
   * Keycloak away while a bearer token's groups are read: not a 500 and not "unauthorized", but
   * the API's entry point, which answers 503 (the bearer filter rethrows an
   * AuthenticationServiceException as a 500; this one reaches the entry point).
   */
  @Test
  void keycloakAwayWhileReadingTheGroupsReachesTheEntryPointNot500() throws Exception {
    when(identity.createGroupQuery().groupMember("bob").list()).thenThrow(
        new org.camunda.bpm.engine.impl.identity.IdentityProviderException("Unable to query groups of user bob",
            new java.net.ConnectException("Connection refused")));
    var converter = new EngineGroupsJwtConverter(identity, KeycloakProperties.UserId.USERNAME.claim());
    var provider = new org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider(
        token -> jwt());
    provider.setJwtAuthenticationConverter(converter);
    var filter = new org.springframework.security.oauth2.server.resource.web.authentication
        .BearerTokenAuthenticationFilter(new org.springframework.security.authentication.ProviderManager(provider));
    Object[] seen = new Object[1];
    filter.setAuthenticationFailureHandler(
        new org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler(
            (req, res, e) -> seen[0] = e));
    var request = new org.springframework.mock.web.MockHttpServletRequest("POST", "/api/requests/1/review");
    request.addHeader("Authorization", "Bearer t");
    filter.doFilter(request, new org.springframework.mock.web.MockHttpServletResponse(),
        new org.springframework.mock.web.MockFilterChain());
    assertThat(seen[0]).isInstanceOf(CamundaUserAuthenticationProvider.Unreachable.class);
    assertThat(((CamundaUserAuthenticationProvider.Unreachable) seen[0]).outage)
        .isEqualTo(Outages.Outage.IDENTITY_PROVIDER);
  }

  private static Jwt jwt() {
    return Jwt.withTokenValue("t").header("alg", "RS256").subject("0b7c-…")
        .claim("preferred_username", "bob").claim("email", "bob@example.com")
        .claim("groups", List.of("airlock-admins"))
        .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(60)).build();
  }
}
