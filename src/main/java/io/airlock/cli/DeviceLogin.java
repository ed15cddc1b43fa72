package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sign-in without a browser on this machine: OAuth 2.0's device authorization grant (RFC 8628)
 * with the realm's public client {@code airlock-cli}. The endpoints come from the issuer's OpenID
 * discovery document; the person opens the verification URL anywhere, enters the code (and
 * Keycloak asks for the second factor where the realm says so), while the CLI polls the token
 * endpoint at the interval it was given.
 */
final class DeviceLogin {

  private DeviceLogin() {}

  /** Signs in at {@code issuer} and returns the credentials to store for {@code server}. */
  static Credentials signIn(String server, String issuer, String clientId, Terminal t, HttpClient http) {
    String base = issuer.replaceAll("/+$", "");
    JsonNode discovery = call(http, HttpRequest.newBuilder(URI.create(base + "/.well-known/openid-configuration"))
        .timeout(Duration.ofSeconds(30)).GET().build(), base);
    String deviceEndpoint = Words.text(discovery, "device_authorization_endpoint");
    String tokenEndpoint = Words.text(discovery, "token_endpoint");
    if (deviceEndpoint.isBlank() || tokenEndpoint.isBlank()) {
      throw new CliException(Exit.BAD_INPUT, "The identity provider at " + base
          + " offers no device sign-in (no device_authorization_endpoint in its discovery document)");
    }
    JsonNode device = call(http, post(deviceEndpoint, Map.of("client_id", clientId, "scope", "openid")), deviceEndpoint);
    String complete = Words.text(device, "verification_uri_complete");
    t.err().println("To sign in to Airlock, open " + (complete.isBlank() ? Words.text(device, "verification_uri") : complete));
    t.err().println("and check that it shows the code " + Words.text(device, "user_code") + ".");
    t.err().flush();
    long interval = Math.max(0, device.path("interval").asLong(5));
    long deadline = t.clock().millis() + device.path("expires_in").asLong(600) * 1000;
    Map<String, String> poll = new LinkedHashMap<>();
    poll.put("grant_type", "urn:ietf:params:oauth:grant-type:device_code");
    poll.put("device_code", Words.text(device, "device_code"));
    poll.put("client_id", clientId);
    while (true) {
      sleep(interval);
      HttpResponse<String> r = send(http, post(tokenEndpoint, poll), tokenEndpoint);
      JsonNode body = Api.parse(r.body());
      if (r.statusCode() == 200) {
        return new Credentials(server, Credentials.BEARER, null, null, base, clientId, tokenEndpoint, null, null, null)
            .withTokens(Words.text(body, "access_token"), Words.text(body, "refresh_token"),
                t.clock().millis() / 1000 + body.path("expires_in").asLong(60));
      }
      switch (Words.text(body, "error")) {
        case "authorization_pending" -> { }
        case "slow_down" -> interval += 5;
        case "access_denied" -> throw new CliException(Exit.REFUSED, "The sign-in was declined; nothing was stored");
        case "expired_token" -> throw new CliException(Exit.TIMED_OUT,
            "The code expired before the sign-in was completed: run airlock login again");
        default -> throw new CliException(Exit.REFUSED, "The identity provider refused the sign-in: "
            + Words.text(body, "error") + " " + Words.text(body, "error_description"));
      }
      if (t.clock().millis() > deadline) {
        throw new CliException(Exit.TIMED_OUT, "The code expired before the sign-in was completed: run airlock login again");
      }
    }
  }

  /** New tokens from the refresh token; {@link Exit#NOT_SIGNED_IN} once it is no longer accepted. */
  static Credentials refresh(Credentials c, Clock clock, HttpClient http) {
    if (c.refreshToken() == null || c.tokenEndpoint() == null) {
      throw new CliException(Exit.NOT_SIGNED_IN, "Your sign-in has expired: run airlock login");
    }
    HttpResponse<String> r = send(http, post(c.tokenEndpoint(), Map.of("grant_type", "refresh_token",
        "refresh_token", c.refreshToken(), "client_id", c.clientId())), c.tokenEndpoint());
    JsonNode body = Api.parse(r.body());
    if (r.statusCode() != 200) {
      throw new CliException(Exit.NOT_SIGNED_IN, "Your sign-in has expired: run airlock login");
    }
    return c.withTokens(Words.text(body, "access_token"),
        body.hasNonNull("refresh_token") ? body.get("refresh_token").asText() : null,
        clock.millis() / 1000 + body.path("expires_in").asLong(60));
  }

  private static HttpRequest post(String url, Map<String, String> form) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Api.form(form))).build();
  }

  private static JsonNode call(HttpClient http, HttpRequest request, String where) {
    HttpResponse<String> r = send(http, request, where);
    if (r.statusCode() != 200) {
      JsonNode body = Api.parse(r.body());
      throw new CliException(Exit.REFUSED, "The identity provider at " + where + " answered " + r.statusCode()
          + (body.hasNonNull("error") ? ": " + Words.text(body, "error") + " " + Words.text(body, "error_description") : ""));
    }
    return Api.parse(r.body());
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest request, String where) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw Api.unreachable(where, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(Exit.UNEXPECTED, "Interrupted");
    }
  }

  private static void sleep(long seconds) {
    try {
      Thread.sleep(seconds * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(Exit.UNEXPECTED, "Interrupted");
    }
  }
}
