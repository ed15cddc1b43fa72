package io.airlock.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One JSON GET to a provider with a timeout, its failures in words ({@link FactUnknown}); the
 * key is read from its file at each call (a rotated key is used at once) and never logged.
 */
final class Http {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final URI base;
  private final Duration timeout;
  private final String keySetting;

  Http(URI base, Duration timeout, String keySetting) {
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.base = base;
    this.timeout = timeout;
    this.keySetting = keySetting;
  }

  static String readKey(String file, String setting) {
    try {
      return Files.readString(Path.of(file)).trim();
    } catch (IOException | UncheckedIOException | java.nio.file.InvalidPathException e) {
      throw new FactUnknown("its API key could not be read from " + setting);
    }
  }

  /** The answer's JSON; {@code null} for a 404 (no such thing). */
  JsonNode get(String pathAndQuery, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/+$", "")
            + pathAndQuery))
        .timeout(timeout)
        .GET();
    headers.forEach(request::header);
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new FactUnknown("it did not answer within " + words(timeout));
    } catch (IOException e) {
      throw new FactUnknown("it could not be reached");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FactUnknown("the question was interrupted");
    }
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw new FactUnknown("it refused Airlock's API key (" + status + "); check " + keySetting);
    }
    if (status == 404) {
      return null;
    }
    if (status == 429) {
      throw new FactUnknown("it asked Airlock to slow down (429)");
    }
    if (status != 200) {
      throw new FactUnknown("it answered " + status);
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new FactUnknown("its answer was not the JSON its API documents");
    }
  }

  static String words(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
