package io.airlock.identity;

import io.airlock.request.Caller;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * The person signed in to the portal as a use-case {@link Caller}: with the password sign-in the
 * groups came with the sign-in; with Keycloak they are read from the identity provider (as the
 * webapps read them), so a group removed there counts at once.
 */
@Component
public class PortalUsers {

  private final IdentityService identity;

  PortalUsers(IdentityService identity) {
    this.identity = identity;
  }

  public Caller caller(Authentication auth) {
    List<String> groups = CurrentUser.groups(auth);
    if (groups.isEmpty() && auth instanceof org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken) {
      groups = identity.createGroupQuery().groupMember(auth.getName()).list().stream().map(Group::getId).toList();
    }
    return new Caller(auth.getName(), groups);
  }
}
