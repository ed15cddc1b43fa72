package io.airlock.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A browser-like session of the Camunda webapps: signs in through the Tasklist login page's
 * endpoint with its CSRF token and session cookie, then calls what Tasklist calls.
 */
public final class WebappSession {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final CookieManager cookies = new CookieManager();
  private final HttpClient http;
  private final String base;

  public WebappSession(int port) {
    this.base = "http://127.0.0.1:" + port;
    this.http = HttpClient.newBuilder().cookieHandler(cookies).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * Signs in to Tasklist; returns the HTTP status of the login call. Like Tasklist, it then
   * reads the signed-in user once: the session's CSRF token changes at sign-in, and a write
   * before any read would be refused (and end the session).
   */
  public int login(String user, String password) {
    return login(user, password, "tasklist");
  }

  /** Signs in to one of the webapps ({@code tasklist}, {@code cockpit}, {@code admin}); returns the login's status. */
  public int login(String user, String password, String app) {
    get("/camunda/app/" + app + "/");
    String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
        + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
    int status = send(HttpRequest.newBuilder(URI.create(base + "/camunda/api/admin/auth/user/default/login/" + app))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form))).statusCode();
    if (status == 200) {
      get("/camunda/api/admin/auth/user/default");
    }
    return status;
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  /** A GET with one extra header (e.g. what a browser adds for a request from another site). */
  public HttpResponse<String> get(String path, String header, String value) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header(header, value).GET());
  }

  public HttpResponse<String> postJson(String path, Object body) {
    try {
      return send(HttpRequest.newBuilder(URI.create(base + path))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A POST with the session's cookie and CSRF token and one extra header (e.g. another site's Origin). */
  public HttpResponse<String> postJson(String path, Object body, String header, String value) {
    try {
      return send(HttpRequest.newBuilder(URI.create(base + path))
          .header("Content-Type", "application/json").header(header, value)
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A POST with the session cookie but without the X-XSRF-TOKEN header (a forged request). */
  public HttpResponse<String> postJsonWithoutXsrfToken(String path, Object body) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
          .timeout(Duration.ofSeconds(30)).build();
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + response.body(), e);
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    cookies.getCookieStore().getCookies().stream()
        .filter(c -> c.getName().equals("XSRF-TOKEN")).map(HttpCookie::getValue).findFirst()
        .ifPresent(token -> request.header("X-XSRF-TOKEN", token));
    try {
      return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
