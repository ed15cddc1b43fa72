package io.airlock.teams;

import io.airlock.notify.Directory;
import io.airlock.request.Caller;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Who a Teams user is in Airlock, as configured and nothing else (as for Slack): the explicit
 * mapping ({@code airlock.notify.teams.users}, the user's Microsoft Entra object id to an Airlock
 * user id) first; else, when {@code match-by-email} is on, the one Airlock user whose email is
 * the member's email (or user principal name) as the Bot Connector gives it for that conversation.
 * A Teams display name is never trusted. Groups are read now from the user store.
 */
@Component
class TeamsPeople {

  private final TeamsConnection teams;
  private final Directory directory;

  TeamsPeople(TeamsConnection teams, Directory directory) {
    this.teams = teams;
    this.directory = directory;
  }

  /**
   * @param serviceUrl the activity's service URL (verified against its token)
   * @param conversationId the conversation the activity came from
   * @param userId the Teams user id ({@code from.id}, 29:...)
   * @param aadObjectId their Microsoft Entra object id ({@code from.aadObjectId}), if given
   */
  Optional<Caller> airlockUser(String serviceUrl, String conversationId, String userId, String aadObjectId)
      throws IOException, InterruptedException {
    Optional<String> user = Optional.empty();
    if (aadObjectId != null && !aadObjectId.isBlank()) {
      user = Optional.ofNullable(teams.settings().users().get(aadObjectId.toLowerCase(Locale.ROOT)))
          .filter(s -> !s.isBlank());
    }
    if (user.isEmpty() && teams.settings().matchByEmail() && userId != null && !userId.isBlank()) {
      user = teams.api().email(serviceUrl, conversationId, userId).flatMap(directory::userWithEmail);
    }
    return user.map(id -> new Caller(id, directory.groupsOf(id)));
  }
}
