package io.airlock.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/** A plain HTTP client for tests: what curl would do, with or without basic credentials. */
public final class ApiClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  public ApiClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public record Reply(int status, String contentType, JsonNode body, String raw) {}

  public Reply get(String user, String path) {
    return send(user, HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  /** A GET with an Accept header (content negotiation). */
  public Reply getAccepting(String user, String path, String accept) {
    return send(user, HttpRequest.newBuilder(URI.create(base + path)).header("Accept", accept).GET());
  }

  public Reply post(String user, String path, Object body) {
    try {
      String json = body == null ? "" : JSON.writeValueAsString(body);
      return send(user, HttpRequest.newBuilder(URI.create(base + path))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public Reply put(String user, String path, Object body) {
    return send(user, HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json(body))));
  }

  public Reply delete(String user, String path) {
    return send(user, HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  /** A {@code multipart/form-data} POST of one file part (e.g. a deployment's resource). */
  public Reply postFile(String user, String path, Map<String, String> fields, String fileName, String content) {
    return postFiles(user, path, fields, Map.of(fileName, content));
  }

  /**
   * A {@code multipart/form-data} POST of fields and file parts, each part named by its file name,
   * as Camunda Modeler sends a deployment to {@code /engine-rest/deployment/create}.
   */
  public Reply postFiles(String user, String path, Map<String, String> fields, Map<String, String> files) {
    String boundary = "airlock-" + UUID.randomUUID();
    StringBuilder b = new StringBuilder();
    fields.forEach((name, value) -> b.append("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n")
        .append(value).append("\r\n"));
    files.forEach((fileName, content) -> b.append("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"").append(fileName).append("\"; filename=\"")
        .append(fileName).append("\"\r\n")
        .append("Content-Type: application/octet-stream\r\n\r\n")
        .append(content).append("\r\n"));
    b.append("--").append(boundary).append("--\r\n");
    return send(user, HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(b.toString())));
  }

  private static String json(Object body) {
    try {
      return body == null ? "" : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits (up to 30 s) until the request has the status, read as {@code admin}; returns it. */
  public JsonNode awaitStatus(String id, String status) {
    JsonNode[] last = new JsonNode[1];
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          last[0] = get("admin", "/api/requests/" + id).body();
          org.assertj.core.api.Assertions.assertThat(last[0].get("status").asText()).isEqualTo(status);
        });
    return last[0];
  }

  private Reply send(String user, HttpRequest.Builder request) {
    if (user != null) {
      String token = Base64.getEncoder().encodeToString((user + ":airlock").getBytes(StandardCharsets.UTF_8));
      request.header("Authorization", "Basic " + token);
    }
    try {
      HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = null;
      if (!r.body().isBlank()) {
        try {
          body = JSON.readTree(r.body());
        } catch (IOException notJson) {
          body = null;
        }
      }
      return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body, r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
