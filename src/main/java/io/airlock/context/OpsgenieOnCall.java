package io.airlock.context;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is on call, from Opsgenie's REST API v2: the final timeline of each configured schedule for
 * the coming week ({@code GET /v2/schedules/{name}/timeline?identifierType=name}), whose periods
 * name their user (by username, the email). A person is on call when a period holds now; the
 * shift ends at the latest end among the periods that do. Timelines are kept for
 * {@code cache-for} per schedule, failures for at most 15 s ({@link Kept}).
 */
public final class OpsgenieOnCall implements OnCall {

  private static final Logger log = LoggerFactory.getLogger(OpsgenieOnCall.class);
  private static final String KEY_SETTING = "airlock.context.opsgenie.key-file";

  /** One period of a schedule's final timeline. */
  record Period(Instant start, Instant end, String user) {}

  private final ContextProperties.Opsgenie settings;
  private final Http http;
  private final Kept<List<Period>> kept;

  public OpsgenieOnCall(ContextProperties.Opsgenie settings) {
    this.settings = settings;
    this.http = new Http(settings.apiUrl(), settings.timeout(), KEY_SETTING);
    this.kept = new Kept<>(settings.cacheFor());
  }

  @Override
  public String provider() {
    return "Opsgenie";
  }

  @Override
  public Optional<Shift> shiftOf(String email, Instant now) {
    Instant until = null;
    String schedule = null;
    for (String name : settings.schedules()) {
      List<Period> periods = kept.get(name, s -> timeline(s, now), log, "Opsgenie could not say who is on call in "
          + io.airlock.logging.LogSafe.of(name));
      for (Period p : periods) {
        if (p.user().equalsIgnoreCase(email) && !p.start().isAfter(now) && p.end().isAfter(now)
            && (until == null || p.end().isAfter(until))) {
          until = p.end();
          schedule = name;
        }
      }
    }
    return until == null ? Optional.empty() : Optional.of(new Shift(until, schedule));
  }

  private List<Period> timeline(String schedule, Instant now) {
    String key = Http.readKey(settings.keyFile(), KEY_SETTING);
    JsonNode answer = http.get("/v2/schedules/" + URLEncoder.encode(schedule, StandardCharsets.UTF_8)
        .replace("+", "%20") + "/timeline?identifierType=name&interval=1&intervalUnit=weeks&date="
        + URLEncoder.encode(now.truncatedTo(ChronoUnit.SECONDS).toString(), StandardCharsets.UTF_8),
        Map.of("Authorization", "GenieKey " + key, "Accept", "application/json"));
    if (answer == null) {
      throw new FactUnknown("it has no schedule named " + schedule + " (airlock.context.opsgenie.schedules)");
    }
    List<Period> periods = new ArrayList<>();
    for (JsonNode rotation : answer.path("data").path("finalTimeline").path("rotations")) {
      for (JsonNode p : rotation.path("periods")) {
        JsonNode recipient = p.path("recipient");
        if ("user".equals(recipient.path("type").asText()) && p.hasNonNull("startDate") && p.hasNonNull("endDate")) {
          periods.add(new Period(OffsetDateTime.parse(p.path("startDate").asText()).toInstant(),
              OffsetDateTime.parse(p.path("endDate").asText()).toInstant(), recipient.path("name").asText("")));
        }
      }
    }
    return periods;
  }
}
