package io.airlock.slack;

import io.airlock.notify.NotifyProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/**
 * Slack as configured ({@code airlock.notify.slack.*}): the Web API with the bot token and the
 * signing secret that callbacks are verified with, both read once at start (from their files when
 * set: a file that cannot be read stops the start, naming the setting). Absent when Slack is off.
 */
@Component
class SlackConnection {

  private final NotifyProperties.Slack settings;
  private final SlackApi api;
  private final SlackSignature signature;

  SlackConnection(NotifyProperties notify) {
    this.settings = notify.slack();
    if (settings.enabled()) {
      this.api = new SlackApi(settings.apiUrl(), secret(settings.botToken(), settings.botTokenFile(),
          "airlock.notify.slack.bot-token-file"));
      this.signature = new SlackSignature(secret(settings.signingSecret(), settings.signingSecretFile(),
          "airlock.notify.slack.signing-secret-file"));
    } else {
      this.api = null;
      this.signature = null;
    }
  }

  boolean enabled() {
    return api != null;
  }

  NotifyProperties.Slack settings() {
    return settings;
  }

  SlackApi api() {
    return api;
  }

  SlackSignature signature() {
    return signature;
  }

  private static String secret(String value, Path file, String setting) {
    if (file == null) {
      return value.strip();
    }
    try {
      String read = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (read.isEmpty()) {
        throw new IllegalStateException(setting + ": " + file + " is empty");
      }
      return read;
    } catch (IOException e) {
      throw new UncheckedIOException(setting + ": cannot read " + file, e);
    }
  }
}
