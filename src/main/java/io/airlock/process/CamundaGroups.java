package io.airlock.process;

import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;

/** A user's Camunda group ids (Camunda's own store, or Keycloak's groups through its plugin). */
final class CamundaGroups {

  private CamundaGroups() {}

  static List<String> of(IdentityService identity, String userId) {
    return identity.createGroupQuery().groupMember(userId).list().stream().map(Group::getId).toList();
  }
}
