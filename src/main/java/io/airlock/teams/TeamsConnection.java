package io.airlock.teams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.stereotype.Component;

/**
 * Teams as configured ({@code airlock.notify.teams.*}): the Bot Connector API with the bot's
 * token and the verifier of the tokens Teams sends. The secret is read once at start (from its
 * file when set: a file that cannot be read stops the start, naming the setting). Absent when
 * Teams is off.
 */
@Component
class TeamsConnection {

  private final TeamsProperties settings;
  private final TeamsApi api;
  private final TeamsTokenVerifier verifier;

  TeamsConnection(TeamsProperties settings, Clock clock) {
    this.settings = settings;
    if (settings.enabled()) {
      this.api = new TeamsApi(settings.tokenUrl(), settings.appId().strip(), secret(settings.appPassword(),
          settings.appPasswordFile()), clock);
      this.verifier = new TeamsTokenVerifier(settings.openIdMetadataUrl(), settings.appId().strip(), clock);
    } else {
      this.api = null;
      this.verifier = null;
    }
  }

  boolean enabled() {
    return api != null;
  }

  TeamsProperties settings() {
    return settings;
  }

  TeamsApi api() {
    return api;
  }

  TeamsTokenVerifier verifier() {
    return verifier;
  }

  private static String secret(String value, Path file) {
    if (file == null) {
      return value.strip();
    }
    try {
      String read = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (read.isEmpty()) {
        throw new IllegalStateException("airlock.notify.teams.app-password-file: " + file + " is empty");
      }
      return read;
    } catch (IOException e) {
      throw new UncheckedIOException("airlock.notify.teams.app-password-file: cannot read " + file, e);
    }
  }
}
