package io.airlock.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The few calls of the Bot Connector REST API that reviews need: post an activity to a
 * conversation, update it, reply to it, and look up a member. Each carries the bot's token, which
 * Airlock obtains by client credentials from the Microsoft identity platform (scope
 * {@code https://api.botframework.com/.default}) and keeps until a few minutes before it expires.
 */
class TeamsApi {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCOPE = "https://api.botframework.com/.default";

  private final String tokenUrl;
  private final String appId;
  private final String appPassword;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String token;
  private Instant tokenUntil = Instant.MIN;

  TeamsApi(String tokenUrl, String appId, String appPassword, Clock clock) {
    this.tokenUrl = tokenUrl;
    this.appId = appId;
    this.appPassword = appPassword;
    this.clock = clock;
  }

  /** Posts the card to the conversation; the activity's id, which updates need. */
  String post(String serviceUrl, String conversationId, String text, Map<String, Object> card)
      throws IOException, InterruptedException {
    JsonNode answer = send("POST", conversation(serviceUrl, conversationId) + "/activities", activity(text, card));
    String id = answer.path("id").asText("");
    if (id.isBlank()) {
      throw new IOException("the Bot Connector answered no activity id");
    }
    return id;
  }

  /** Replaces the card for everyone. */
  void update(String serviceUrl, String conversationId, String activityId, String text, Map<String, Object> card)
      throws IOException, InterruptedException {
    Map<String, Object> activity = activity(text, card);
    activity.put("id", activityId);
    send("PUT", conversation(serviceUrl, conversationId) + "/activities/" + enc(activityId), activity);
  }

  /** A message in the card's thread (Teams has no answer only one person sees to a card's button). */
  void reply(String serviceUrl, String conversationId, String replyToId, String text)
      throws IOException, InterruptedException {
    Map<String, Object> activity = new LinkedHashMap<>();
    activity.put("type", "message");
    activity.put("textFormat", "plain");
    activity.put("text", text);
    activity.put("replyToId", replyToId);
    String path = conversation(serviceUrl, conversationId) + "/activities"
        + (replyToId == null || replyToId.isBlank() ? "" : "/" + enc(replyToId));
    send("POST", path, activity);
  }

  /** The member's email, else their user principal name, as the Bot Connector gives them. */
  Optional<String> email(String serviceUrl, String conversationId, String userId) throws IOException, InterruptedException {
    JsonNode member = send("GET", conversation(serviceUrl, conversationId) + "/members/" + enc(userId), null);
    String email = member.path("email").asText("");
    if (email.isBlank()) {
      email = member.path("userPrincipalName").asText("");
    }
    return email.isBlank() ? Optional.empty() : Optional.of(email);
  }

  private static Map<String, Object> activity(String text, Map<String, Object> card) {
    Map<String, Object> activity = new LinkedHashMap<>();
    activity.put("type", "message");
    activity.put("summary", text);
    activity.put("attachments", List.of(Map.of("contentType", "application/vnd.microsoft.card.adaptive",
        "content", card)));
    return activity;
  }

  private static String conversation(String serviceUrl, String conversationId) {
    String base = serviceUrl.endsWith("/") ? serviceUrl.substring(0, serviceUrl.length() - 1) : serviceUrl;
    return base + "/v3/conversations/" + enc(conversationId);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode send(String method, String url, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token());
    if (body == null) {
      request.GET();
    } else {
      request.header("Content-Type", "application/json; charset=utf-8")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      forgetToken();
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException("the Bot Connector answered HTTP " + response.statusCode() + " to " + method);
    }
    String text = response.body();
    return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
  }

  private synchronized void forgetToken() {
    token = null;
    tokenUntil = Instant.MIN;
  }

  /** The bot's token, by client credentials; kept until five minutes before it expires. */
  private synchronized String token() throws IOException, InterruptedException {
    if (token != null && clock.instant().isBefore(tokenUntil)) {
      return token;
    }
    String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(appId, StandardCharsets.UTF_8)
        + "&client_secret=" + URLEncoder.encode(appPassword, StandardCharsets.UTF_8)
        + "&scope=" + URLEncoder.encode(SCOPE, StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(URI.create(tokenUrl))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      // The answer may name the app; never the secret. Say only the status.
      throw new IOException("the Microsoft identity platform answered HTTP " + response.statusCode()
          + " for the bot's token");
    }
    JsonNode answer = JSON.readTree(response.body());
    String accessToken = answer.path("access_token").asText("");
    if (accessToken.isBlank()) {
      throw new IOException("the Microsoft identity platform gave no access token");
    }
    long seconds = answer.path("expires_in").asLong(3600);
    token = accessToken;
    tokenUntil = clock.instant().plusSeconds(Math.max(0, seconds - 300));
    return token;
  }
}
