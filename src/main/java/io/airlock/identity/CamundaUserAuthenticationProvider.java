package io.airlock.identity;

import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * HTTP basic sign-in against Camunda's identity service (its own users in the embedded
 * default; the Keycloak plugin's users when that is configured). Authorities are the user's
 * Camunda groups, prefixed GROUP_.
 *
 * <p>The password check and the group lookup are engine commands; they run in one transaction,
 * not one each (every basic sign-in, that is every API call of a system, took three connections
 * and transactions before). It is not read-only, and a wrong password ends it with a commit, not a
 * rollback: the failure counts towards the user's sign-in throttling (README, <i>Sign-in and
 * lock-out</i>).
 */
@Component
class CamundaUserAuthenticationProvider implements AuthenticationProvider {

  static final String GROUP_PREFIX = "GROUP_";

  private final IdentityService identity;
  private final TransactionTemplate tx;

  CamundaUserAuthenticationProvider(IdentityService identity, PlatformTransactionManager transactions) {
    this.identity = identity;
    this.tx = new TransactionTemplate(transactions);
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    String user = authentication.getName();
    Object credentials = authentication.getCredentials();
    if (user == null || user.isBlank() || credentials == null) {
      throw new BadCredentialsException("Bad user name or password");
    }
    List<GrantedAuthority> authorities;
    try {
      authorities = tx.execute(status -> {
        if (!identity.checkPassword(user, credentials.toString())) {
          return null;
        }
        return identity.createGroupQuery().groupMember(user).list().stream()
            .map(g -> (GrantedAuthority) new SimpleGrantedAuthority(GROUP_PREFIX + g.getId()))
            .toList();
      });
    } catch (RuntimeException e) {
      Outages.Outage outage = Outages.of(e);
      if (outage == null) {
        throw e;
      }
      // not the caller's fault: the entry point answers 503, not "bad credentials"
      throw new Unreachable(user, outage, e);
    }
    if (authorities == null) {
      throw new BadCredentialsException("Bad user name or password");
    }
    return UsernamePasswordAuthenticationToken.authenticated(user, null, authorities);
  }

  /**
   * Who could not be checked, because what Airlock checks against is away. Not an
   * {@code AuthenticationServiceException}: the bearer-token filter rethrows those (a 500); this
   * one reaches the entry point, which answers 503.
   */
  static final class Unreachable extends org.springframework.security.core.AuthenticationException {
    final String user;
    final transient Outages.Outage outage;

    Unreachable(String user, Outages.Outage outage, Throwable cause) {
      super("Cannot check who " + user + " is: " + outage.name(), cause);
      this.user = user;
      this.outage = outage;
    }
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
  }
}
