package io.airlock.identity;

import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * A bearer token's user, with the groups the engine's identity service (Keycloak, through the
 * identity plugin, uncached) says they are in now, at this request: not the token's
 * {@code groups} claim, which stays as it was for the token's lifetime. Authorities are
 * {@code GROUP_<id>}, as {@link CurrentUser} and {@link EngineAuthenticationFilter} read them.
 */
class EngineGroupsJwtConverter implements Converter<Jwt, AbstractAuthenticationToken> {

  private final IdentityService identity;
  private final String userClaim;

  EngineGroupsJwtConverter(IdentityService identity, String userClaim) {
    this.identity = identity;
    this.userClaim = userClaim;
  }

  @Override
  public AbstractAuthenticationToken convert(Jwt jwt) {
    String user = jwt.getClaimAsString(userClaim);
    if (user == null || user.isBlank()) {
      throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN,
          "The token names no user (claim " + userClaim + ")", null));
    }
    List<GrantedAuthority> groups;
    try {
      groups = identity.createGroupQuery().groupMember(user).list().stream()
          .map(g -> (GrantedAuthority) new SimpleGrantedAuthority(CamundaUserAuthenticationProvider.GROUP_PREFIX
              + g.getId()))
          .toList();
    } catch (RuntimeException e) {
      Outages.Outage outage = Outages.of(e);
      if (outage == null) {
        throw e;
      }
      // Keycloak (or the database) away: the entry point answers 503, not 500 nor "unauthorized"
      throw new CamundaUserAuthenticationProvider.Unreachable(user, outage, e);
    }
    return new JwtAuthenticationToken(jwt, groups, user);
  }
}
