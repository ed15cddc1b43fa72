package io.airlock.notify;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.springframework.stereotype.Component;

/**
 * Email addresses of users and of every member of groups, from the engine's identity service:
 * Camunda's user store with the embedded defaults, Keycloak where that plugin is configured.
 * Read when a message is sent, so it goes to the group as it is then.
 */
@Component
class Directory {

  private final IdentityService identity;

  Directory(IdentityService identity) {
    this.identity = identity;
  }

  Set<String> emails(List<String> users, List<String> groups) {
    Set<String> emails = new LinkedHashSet<>();
    for (String id : users) {
      User u = identity.createUserQuery().userId(id).singleResult();
      if (u != null) {
        emails.add(u.getEmail());
      }
    }
    for (String group : groups) {
      identity.createUserQuery().memberOfGroup(group).list().forEach(u -> emails.add(u.getEmail()));
    }
    emails.removeIf(e -> Objects.isNull(e) || e.isBlank());
    return emails;
  }
}
