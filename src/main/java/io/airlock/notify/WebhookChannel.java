package io.airlock.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * A chat incoming webhook: {"text": ...}, the payload Slack's and Microsoft Teams' incoming
 * webhooks both accept. Posts to the channel, so it names no email addresses.
 */
@Component
class WebhookChannel implements Channel {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final NotifyProperties properties;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  WebhookChannel(NotifyProperties properties) {
    this.properties = properties;
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public boolean enabled() {
    return properties.webhook().enabled();
  }

  @Override
  public void send(Notice notice) throws Exception {
    String text = "*" + notice.subject() + "*\n" + notice.body();
    HttpRequest request = HttpRequest.newBuilder(URI.create(properties.webhook().url()))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("text", text))))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException("the webhook answered HTTP " + response.statusCode());
    }
  }
}
