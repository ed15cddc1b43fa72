package io.airlock.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.airlock.logging.LogSafe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is on call, from PagerDuty's REST API v2: the person is found by their email
 * ({@code GET /users?query=}), then their current on-call entries are read
 * ({@code GET /oncalls?user_ids[]=}, which without a time range answers for the current moment).
 * The shift ends at the latest end among them; an entry without end (always on call) has none.
 *
 * <p>Answers are kept for {@code cache-for} (Caffeine), so a burst of requests asks once. A
 * question that fails is kept as failed for at most 15 s, so an unreachable PagerDuty costs one
 * timeout, not one per request. The key is read from its file at each question (a rotated key
 * is used at once) and never logged.
 */
public final class PagerDutyOnCall implements OnCall {

  static final Duration FAILURE_KEPT_AT_MOST = Duration.ofSeconds(15);
  private static final Logger log = LoggerFactory.getLogger(PagerDutyOnCall.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ContextProperties.PagerDuty settings;
  private final HttpClient http;
  private final Cache<String, Optional<Shift>> answers;
  private final Cache<String, String> failures;

  public PagerDutyOnCall(ContextProperties.PagerDuty settings) {
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    this.answers = Caffeine.newBuilder().expireAfterWrite(settings.cacheFor()).maximumSize(10_000).build();
    Duration failureKept = settings.cacheFor().compareTo(FAILURE_KEPT_AT_MOST) < 0 ? settings.cacheFor()
        : FAILURE_KEPT_AT_MOST;
    this.failures = Caffeine.newBuilder().expireAfterWrite(failureKept).maximumSize(10_000).build();
  }

  @Override
  public String provider() {
    return "PagerDuty";
  }

  @Override
  public Optional<Shift> shiftOf(String email, Instant now) {
    String key = email.toLowerCase(Locale.ROOT);
    String failed = failures.getIfPresent(key);
    if (failed != null) {
      throw new Unknown(failed);
    }
    Optional<Shift> known = answers.getIfPresent(key);
    if (known == null) {
      try {
        known = ask(key);
      } catch (Unknown e) {
        failures.put(key, e.getMessage());
        log.warn("PagerDuty could not say whether {} is on call: {}", LogSafe.of(email), e.getMessage());
        throw e;
      }
      answers.put(key, known);
    }
    // A kept answer may have ended since it was read.
    return known.filter(s -> s.until() == null || s.until().isAfter(now));
  }

  private Optional<Shift> ask(String email) {
    JsonNode users = get("/users?query=" + URLEncoder.encode(email, StandardCharsets.UTF_8) + "&limit=25").path("users");
    String userId = null;
    for (JsonNode u : users) {
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
    Instant until = null;
    boolean endless = false;
    String schedule = null;
    JsonNode oncalls = get(path.toString()).path("oncalls");
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
    if (oncalls.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Shift(endless ? null : until, schedule));
  }

  private JsonNode get(String pathAndQuery) {
    String token;
    try {
      token = Files.readString(Path.of(settings.tokenFile())).trim();
    } catch (IOException | UncheckedIOException e) {
      throw new Unknown("its API key could not be read from airlock.context.pagerduty.token-file");
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create(settings.apiUrl().toString().replaceAll("/+$", "")
            + pathAndQuery))
        .timeout(settings.timeout())
        .header("Authorization", "Token token=" + token)
        .header("Accept", "application/vnd.pagerduty+json;version=2")
        .GET().build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new Unknown("it did not answer within " + words(settings.timeout()));
    } catch (IOException e) {
      throw new Unknown("it could not be reached");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unknown("the question was interrupted");
    }
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw new Unknown("it refused Airlock's API key (" + status + "); check airlock.context.pagerduty.token-file");
    }
    if (status == 429) {
      throw new Unknown("it asked Airlock to slow down (429)");
    }
    if (status != 200) {
      throw new Unknown("it answered " + status);
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new Unknown("its answer was not the JSON its API documents");
    }
  }

  private static String words(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
