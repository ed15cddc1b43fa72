package io.airlock.identity;

import io.airlock.request.Caller;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/** The signed-in user as a use-case {@link Caller}. */
public final class CurrentUser {

  private CurrentUser() {}

  public static Caller of(Authentication authentication) {
    return new Caller(authentication.getName(), groups(authentication));
  }

  static List<String> groups(Authentication authentication) {
    return authentication.getAuthorities().stream()
        .map(GrantedAuthority::getAuthority)
        .filter(a -> a.startsWith(CamundaUserAuthenticationProvider.GROUP_PREFIX))
        .map(a -> a.substring(CamundaUserAuthenticationProvider.GROUP_PREFIX.length()))
        .toList();
  }
}
