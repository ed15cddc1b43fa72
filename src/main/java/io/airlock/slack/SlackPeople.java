package io.airlock.slack;

import io.airlock.notify.Directory;
import io.airlock.request.Caller;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Who a Slack user is in Airlock, as configured and nothing else: the explicit mapping
 * ({@code airlock.notify.slack.users}, Slack user id to Airlock user id) first; else, when
 * {@code match-by-email} is on, the one Airlock user whose email is the email of the Slack
 * profile, when Slack has confirmed that address and the account is a full, active member
 * ({@link SlackApi#email}). Nobody else is anybody: a
 * Slack user's name or display name is never trusted. Their groups are read now from the
 * user store, as a sign-in would.
 */
@Component
class SlackPeople {

  private final SlackConnection slack;
  private final Directory directory;

  SlackPeople(SlackConnection slack, Directory directory) {
    this.slack = slack;
    this.directory = directory;
  }

  Optional<Caller> airlockUser(String slackUserId) throws java.io.IOException, InterruptedException {
    if (slackUserId == null || slackUserId.isBlank()) {
      return Optional.empty();
    }
    String mapped = slack.settings().users().get(slackUserId.toUpperCase(java.util.Locale.ROOT));
    Optional<String> user = Optional.ofNullable(mapped).filter(s -> !s.isBlank());
    if (user.isEmpty() && slack.settings().matchByEmail()) {
      user = slack.api().email(slackUserId, slack.settings().teamId()).flatMap(directory::userWithEmail);
    }
    return user.map(id -> new Caller(id, directory.groupsOf(id)));
  }
}
