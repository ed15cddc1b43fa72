package io.airlock.context;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is on call, from PagerDuty's REST API v2: the person is found by their email
 * ({@code GET /users?query=}), then their current on-call entries are read
 * ({@code GET /oncalls?user_ids[]=}, which without a time range answers for the current moment).
 * The shift ends at the latest end among them; an entry without end (always on call) has none.
 * Answers are kept for {@code cache-for}, failures for at most 15 s ({@link Kept}).
 */
public final class PagerDutyOnCall implements OnCall {

  private static final Logger log = LoggerFactory.getLogger(PagerDutyOnCall.class);
  private static final String KEY_SETTING = "airlock.context.pagerduty.token-file";

  private final ContextProperties.PagerDuty settings;
  private final Http http;
  private final Kept<Optional<Shift>> kept;

  public PagerDutyOnCall(ContextProperties.PagerDuty settings) {
    this.settings = settings;
    this.http = new Http(settings.apiUrl(), settings.timeout(), KEY_SETTING);
    this.kept = new Kept<>(settings.cacheFor());
  }

  @Override
  public String provider() {
    return "PagerDuty";
  }

  @Override
  public Optional<Shift> shiftOf(String email, Instant now) {
    String key = email.toLowerCase(Locale.ROOT);
    Optional<Shift> known = kept.get(key, this::ask, log, "PagerDuty could not say whether " + io.airlock.logging
        .LogSafe.of(email) + " is on call");
    // A kept answer may have ended since it was read.
    return known.filter(s -> s.until() == null || s.until().isAfter(now));
  }

  private Optional<Shift> ask(String email) {
    Map<String, String> headers = Map.of("Authorization", "Token token=" + Http.readKey(settings.tokenFile(),
        KEY_SETTING), "Accept", "application/vnd.pagerduty+json;version=2");
    JsonNode found = http.get("/users?query=" + URLEncoder.encode(email, StandardCharsets.UTF_8) + "&limit=25",
        headers);
    String userId = null;
    for (JsonNode u : found == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
        : found.path("users")) {
      if (email.equalsIgnoreCase(u.path("email").asText())) {
        userId = u.path("id").asText();
      }
    }
    if (userId == null) {
      return Optional.empty(); // PagerDuty does not know them: not on call
    }
    StringBuilder path = new StringBuilder("/oncalls?limit=100&time_zone=UTC&user_ids%5B%5D=")
        .append(URLEncoder.encode(userId, StandardCharsets.UTF_8));
    for (String schedule : settings.schedules()) {
      path.append("&schedule_ids%5B%5D=").append(URLEncoder.encode(schedule, StandardCharsets.UTF_8));
    }
    JsonNode answer = http.get(path.toString(), headers);
    JsonNode oncalls = answer == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
        : answer.path("oncalls");
    if (oncalls.isEmpty()) {
      return Optional.empty();
    }
    Instant until = null;
    boolean endless = false;
    String schedule = null;
    for (JsonNode o : oncalls) {
      String name = o.path("schedule").path("summary").asText(null);
      if (name == null) {
        name = o.path("escalation_policy").path("summary").asText(null);
      }
      JsonNode end = o.path("end");
      if (end.isNull() || end.isMissingNode() || end.asText().isBlank()) {
        endless = true;
        schedule = name;
      } else {
        Instant ends = OffsetDateTime.parse(end.asText()).toInstant();
        if (!endless && (until == null || ends.isAfter(until))) {
          until = ends;
          schedule = name;
        }
      }
    }
    return Optional.of(new Shift(endless ? null : until, schedule));
  }
}
