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

  /** The email of the Slack user's profile (needs the scope users:read.email), if Slack gives one. */
  Optional<String> email(String userId) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/users.info?user="
            + URLEncoder.encode(userId, StandardCharsets.UTF_8)))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token)
        .GET().build();
    JsonNode user = ok("users.info", http.send(request, HttpResponse.BodyHandlers.ofString())).path("user");
    if (user.path("deleted").asBoolean(false) || user.path("is_bot").asBoolean(false)) {
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
