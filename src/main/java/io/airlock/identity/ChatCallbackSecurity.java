package io.airlock.identity;

import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * The paths reachable without signing in to Airlock: Slack's interactivity callbacks
 * ({@code POST /integrations/slack/interactions}) and Teams' activities
 * ({@code POST /integrations/teams/messages}). Neither can sign in; Slack signs each callback
 * with the app's signing secret and the Bot Framework sends a token it signed, which the
 * endpoints verify before they believe anything (io.airlock.slack, io.airlock.teams). No session,
 * no CSRF token (neither has one; a forged cross-site post has no valid signature), and only POST
 * to exactly these paths: anything else stays in the API chain and needs a sign-in.
 */
final class ChatCallbackSecurity {

  static final String SLACK_INTERACTIONS = "/integrations/slack/interactions";
  /** Microsoft Teams' activities (io.airlock.teams): each believed only with the Bot Framework's token. */
  static final String TEAMS_MESSAGES = "/integrations/teams/messages";

  private ChatCallbackSecurity() {
  }

  static HttpSecurity chain(HttpSecurity http) throws Exception {
    return http.securityMatcher(new OrRequestMatcher(
            PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, SLACK_INTERACTIONS),
            PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, TEAMS_MESSAGES)))
        .authorizeHttpRequests(a -> a.anyRequest().permitAll())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .requestCache(c -> c.disable())
        .anonymous(a -> a.disable())
        .csrf(c -> c.disable());
  }
}
