package io.airlock.notify;

import java.util.List;
import java.util.Set;

/**
 * Email addresses of users and of every member of groups: read when a message is sent, so it
 * goes to the group as it is then. The identity service behind it (Camunda's user store with the
 * embedded defaults, Keycloak where that plugin is configured) is {@code io.airlock.identity}'s.
 */
public interface Directory {

  /** The addresses of {@code users} and of the members of {@code groups}, each once; blank ones left out. */
  Set<String> emails(List<String> users, List<String> groups);

  /** The one user whose email is {@code email} (ignoring case), or empty when none or several are. */
  java.util.Optional<String> userWithEmail(String email);

  /** The groups {@code userId} is a member of now. */
  List<String> groupsOf(String userId);
}
