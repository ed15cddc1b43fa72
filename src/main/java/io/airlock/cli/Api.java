package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Airlock's REST API as the signed-in person: HTTP basic or a bearer token (refreshed with the
 * refresh token when it is about to expire, and stored again). Every answer that is not a success
 * becomes a {@link CliException} with Airlock's problem+json {@code detail} and named fields in
 * words, and the exit code that says what happened.
 */
public class Api {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http;
  private final Clock clock;
  private final Path configDir;
  private Credentials credentials;

  Api(Credentials credentials, Path configDir, Clock clock) {
    this.credentials = credentials;
    this.configDir = configDir;
    this.clock = clock;
    this.http = client();
  }

  static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The stored sign-in's API, or {@link Exit#NOT_SIGNED_IN}. */
  static Api signedIn(Terminal t) {
    Credentials c = Credentials.load(t.configDir());
    if (c == null) {
      throw new CliException(Exit.NOT_SIGNED_IN, "You are not signed in: run airlock login");
    }
    return new Api(c, t.configDir(), t.clock());
  }

  public String server() {
    return credentials.server();
  }

  public JsonNode get(String path) {
    return send("GET", path, null);
  }

  public JsonNode post(String path, Object body) {
    return send("POST", path, body);
  }

  private JsonNode send(String method, String path, Object body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server() + path)).timeout(TIMEOUT)
        .header("Accept", "application/json, application/problem+json")
        .header("Authorization", authorization());
    try {
      if (body != null || "POST".equals(method)) {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body == null ? "{}" : JSON.writeValueAsString(body)));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return answer(r.statusCode(), r.body(), server());
    } catch (IOException e) {
      throw unreachable(server(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(Exit.UNEXPECTED, "Interrupted");
    }
  }

  static CliException unreachable(String where, Exception e) {
    String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    return new CliException(Exit.UNREACHABLE, "Airlock cannot be reached at " + where + " (" + why
        + "). Nothing was done; try again in a minute.");
  }

  /** The body of a success, or the exit code and Airlock's words for anything else. */
  static JsonNode answer(int status, String body, String server) {
    JsonNode json = parse(body);
    if (status >= 200 && status < 300) {
      return json;
    }
    String said = said(json);
    Exit exit;
    String text;
    if (status == 401) {
      exit = Exit.NOT_SIGNED_IN;
      text = said == null ? "Airlock did not accept your sign-in: run airlock login" : said;
    } else if (status >= 300 && status < 400) {
      exit = Exit.NOT_SIGNED_IN;
      text = "Airlock at " + server + " asked for a sign-in in a browser: run airlock login";
    } else if (status == 400 || status == 404 || status == 405 || status == 415 || status == 422) {
      exit = Exit.BAD_INPUT;
      text = said == null ? (status == 404 ? "Airlock knows no such thing (404)" : "Airlock refused the input (" + status + ")") : said;
    } else if (status == 403 || status == 409) {
      exit = Exit.REFUSED;
      text = said == null ? "Airlock refused it (" + status + ")" : said;
    } else if (status == 502 || status == 503 || status == 504) {
      exit = Exit.UNREACHABLE;
      text = said == null ? "Airlock cannot work right now (" + status + "); nothing was done. Try again in a minute." : said;
    } else {
      exit = Exit.UNEXPECTED;
      text = "Airlock answered " + status + (said == null ? "" : ": " + said);
    }
    throw new CliException(exit, text, json.isMissingNode() ? null : json);
  }

  /** Airlock's sentence from a problem+json: its detail, then each named field ("duration: …"). */
  static String said(JsonNode problem) {
    if (problem == null || !problem.isObject()) {
      return null;
    }
    List<String> lines = new ArrayList<>();
    String detail = Words.text(problem, "detail");
    if (!detail.isBlank()) {
      lines.add(detail);
    }
    for (JsonNode e : problem.path("errors")) {
      String line = Words.text(e, "field") + ": " + Words.text(e, "message");
      if (!lines.contains(line) && !detail.contains(Words.text(e, "message"))) {
        lines.add(line);
      }
    }
    if (problem.hasNonNull("maximumText")) {
      lines.add("The most policy allows now: " + problem.get("maximumText").asText());
    }
    return lines.isEmpty() ? null : String.join("\n", lines);
  }

  static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }

  private String authorization() {
    if (Credentials.BASIC.equals(credentials.kind())) {
      return "Basic " + Base64.getEncoder().encodeToString(
          (credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
    }
    long now = clock.millis() / 1000;
    if (credentials.expiresAt() == null || credentials.expiresAt() - now < 30) {
      credentials = DeviceLogin.refresh(credentials, clock, http);
      credentials.save(configDir);
    }
    return "Bearer " + credentials.accessToken();
  }

  /** A form body for OAuth's endpoints. */
  static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}
