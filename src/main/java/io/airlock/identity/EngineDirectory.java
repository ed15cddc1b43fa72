package io.airlock.identity;

import io.airlock.notify.Directory;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.springframework.stereotype.Component;

/** {@link Directory} on the engine's identity service. */
@Component
class EngineDirectory implements Directory {

  private final IdentityService identity;

  EngineDirectory(IdentityService identity) {
    this.identity = identity;
  }

  @Override
  public Set<String> emails(List<String> users, List<String> groups) {
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

  @Override
  public java.util.Optional<String> userWithEmail(String email) {
    if (email == null || email.isBlank()) {
      return java.util.Optional.empty();
    }
    // Exactly as written, else in lower case; never a guess between two users.
    String wanted = email.strip();
    List<String> ids = identity.createUserQuery().userEmail(wanted).list().stream().map(User::getId).distinct().toList();
    if (ids.isEmpty() && !wanted.equals(wanted.toLowerCase(java.util.Locale.ROOT))) {
      ids = identity.createUserQuery().userEmail(wanted.toLowerCase(java.util.Locale.ROOT)).list().stream()
          .map(User::getId).distinct().toList();
    }
    return ids.size() == 1 ? java.util.Optional.of(ids.get(0)) : java.util.Optional.empty();
  }

  @Override
  public List<String> groupsOf(String userId) {
    return identity.createGroupQuery().groupMember(userId).list().stream()
        .map(org.camunda.bpm.engine.identity.Group::getId).toList();
  }
}
