package io.airlock.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;

/**
 * Where a command runs: the environment, standard input and output, the clock, the reader's zone
 * and where things are kept ({@code ~/.config/airlock/}, {@code ~/.aws/config}). The real one comes
 * from the process; tests hand in their own (a temporary home, their own streams).
 *
 * @param interactive whether a person answers questions at this terminal (prompts for what is missing)
 */
public record Terminal(Map<String, String> env, BufferedReader in, PrintWriter out, PrintWriter err, Clock clock,
    boolean interactive) {

  /** {@code AIRLOCK_CONFIG_DIR}, else {@code $XDG_CONFIG_HOME/airlock}, else {@code ~/.config/airlock}. */
  public Path configDir() {
    String dir = env.get("AIRLOCK_CONFIG_DIR");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    return xdg != null && !xdg.isBlank() ? Path.of(xdg, "airlock") : home().resolve(".config").resolve("airlock");
  }

  /** The {@code aws} CLI's config file: {@code AWS_CONFIG_FILE}, else {@code ~/.aws/config}, as the aws CLI reads it. */
  public Path awsConfig() {
    String file = env.get("AWS_CONFIG_FILE");
    return file != null && !file.isBlank() ? Path.of(file) : home().resolve(".aws").resolve("config");
  }

  public Path home() {
    String home = env.get("HOME");
    return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
  }

  /** The reader's zone: {@code TZ} when set, else the system's. */
  public ZoneId zone() {
    String tz = env.get("TZ");
    try {
      return tz == null || tz.isBlank() ? clock.getZone() : ZoneId.of(tz);
    } catch (RuntimeException e) {
      return clock.getZone();
    }
  }

  /** One line a person typed, or null at the end of input. */
  public String readLine(String prompt) {
    if (prompt != null) {
      err.print(prompt);
      err.flush();
    }
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
