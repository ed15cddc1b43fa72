package io.airlock.identity;

import io.airlock.request.Caller;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * The person signed in to the portal as a use-case {@link Caller}, with their groups as the
 * identity service has them now (Camunda's users, or Keycloak's through its plugin), not as they
 * were at sign-in: a person removed from the approvers loses what approvers may do at their next
 * click, not at their next sign-in.
 */
@Component
public class PortalUsers {

  private final IdentityService identity;

  PortalUsers(IdentityService identity) {
    this.identity = identity;
  }

  public Caller caller(Authentication auth) {
    List<String> groups = identity.createGroupQuery().groupMember(auth.getName()).list().stream().map(Group::getId)
        .toList();
    return new Caller(auth.getName(), groups);
  }
}
