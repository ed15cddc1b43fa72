package io.airlock.identity;

import io.airlock.membership.UserStore;
import io.airlock.process.EngineIdentity;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.stereotype.Component;

/**
 * The engine's identity service as the user store of membership changes. Airlock applies an
 * approved change as itself (no signed-in person), which {@link GroupMembershipGuard} lets
 * through; nobody's sign-in can.
 */
@Component
class CamundaUserStore implements UserStore {

  private final IdentityService identity;

  CamundaUserStore(IdentityService identity) {
    this.identity = identity;
  }

  @Override
  public boolean userExists(String userId) {
    return EngineIdentity.asAirlock(identity, () -> identity.createUserQuery().userId(userId).count() > 0);
  }

  @Override
  public boolean isMember(String userId, String groupId) {
    return EngineIdentity.asAirlock(identity, () -> identity.createUserQuery().userId(userId).memberOfGroup(groupId).count() > 0);
  }

  @Override
  public void apply(String userId, String groupId, boolean add) {
    EngineIdentity.asAirlock(identity, () -> {
      boolean member = identity.createUserQuery().userId(userId).memberOfGroup(groupId).count() > 0;
      if (add && !member) {
        identity.createMembership(userId, groupId);
      } else if (!add && member) {
        identity.deleteMembership(userId, groupId);
      }
      return null;
    });
  }

  @Override
  public boolean writable() {
    return !identity.isReadOnly();
  }
}
