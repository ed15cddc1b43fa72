package io.airlock.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The few calls of Slack's Web API that reviews need, as JSON over HTTPS with the bot token:
 * {@code chat.postMessage}, {@code chat.update}, {@code views.open}, {@code users.info}; and the
 * answer to an action through its {@code response_url}. A call Slack answers with
 * {@code "ok": false} throws with Slack's error code.
 */
class SlackApi {

  /** Where a message is: its channel and timestamp, which {@code chat.update} needs. */
  record Posted(String channel, String ts) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  SlackApi(String baseUrl, String token) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
  }

  Posted postMessage(String channel, String text, Object blocks) throws IOException, InterruptedException {
    JsonNode answer = call("chat.postMessage", Map.of("channel", channel, "text", text, "blocks", blocks,
        "unfurl_links", false));
    return new Posted(answer.path("channel").asText(channel), answer.path("ts").asText());
  }

  void update(Posted message, String text, Object blocks) throws IOException, InterruptedException {
    call("chat.update", Map.of("channel", message.channel(), "ts", message.ts(), "text", text, "blocks", blocks));
  }

  void openView(String triggerId, Object view) throws IOException, InterruptedException {
    call("views.open", Map.of("trigger_id", triggerId, "view", view));
  }

  /**
   * The email of the Slack user's profile (needs the scope users:read.email), only when it says who
   * a person is: Slack has confirmed it ({@code is_email_confirmed}), the account is a full member of
   * {@code team} (when given) who is not deactivated, not a bot, app or workflow, not a guest
   * (restricted, ultra-restricted) and not a stranger from another organization (Slack Connect).
   */
  Optional<String> email(String userId, String team) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/users.info?user="
            + URLEncoder.encode(userId, StandardCharsets.UTF_8)))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token)
        .GET().build();
    JsonNode user = ok("users.info", http.send(request, HttpResponse.BodyHandlers.ofString())).path("user");
    for (String notAPerson : new String[] {"deleted", "is_bot", "is_app_user", "is_workflow_bot", "is_restricted",
        "is_ultra_restricted", "is_stranger", "is_invited_user"}) {
      if (user.path(notAPerson).asBoolean(false)) {
        return Optional.empty();
      }
    }
    if (!user.path("is_email_confirmed").asBoolean(false)) {
      return Optional.empty(); // anybody can type an unconfirmed address into a profile
    }
    if (team != null && !team.isBlank() && !team.equals(user.path("team_id").asText(""))) {
      return Optional.empty();
    }
    String email = user.path("profile").path("email").asText("");
    return email.isBlank() ? Optional.empty() : Optional.of(email);
  }

  /** Only the person who acted sees it (an ephemeral answer through the action's response_url). */
  void tellOnly(String responseUrl, String text) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(responseUrl))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("response_type", "ephemeral",
            "replace_original", false, "text", text))))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("Slack's response_url answered HTTP " + response.statusCode());
    }
  }

  /** The same, without waiting: when Airlock is too busy to do more than say so. Failures are logged. */
  void tellOnlySoon(String responseUrl, String text) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(responseUrl))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("response_type", "ephemeral",
            "replace_original", false, "text", text))))
        .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failed) -> {
      if (failed != null || response.statusCode() / 100 != 2) {
        org.slf4j.LoggerFactory.getLogger(SlackApi.class).warn("Could not answer in Slack: {}",
            failed != null ? failed.getMessage() : "HTTP " + response.statusCode());
      }
    });
  }

  /** Replaces an open dialog's content (its view id from the submission). */
  void updateView(String viewId, Object view) throws IOException, InterruptedException {
    call("views.update", Map.of("view_id", viewId, "view", view));
  }

  private JsonNode call(String method, Map<String, Object> body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/" + method))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build();
    return ok(method, http.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private static JsonNode ok(String method, HttpResponse<String> response) throws IOException {
    if (response.statusCode() / 100 != 2) {
      throw new IOException("Slack's " + method + " answered HTTP " + response.statusCode());
    }
    JsonNode answer = JSON.readTree(response.body());
    if (!answer.path("ok").asBoolean(false)) {
      throw new IOException("Slack's " + method + " answered " + answer.path("error").asText("not ok"));
    }
    return answer;
  }
}
