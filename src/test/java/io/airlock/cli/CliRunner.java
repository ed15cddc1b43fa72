package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the CLI's entry point in this JVM as a person would at a terminal: its own home (config
 * directory, aws config) under a temporary folder, its own standard input and output, UTC.
 */
public final class CliRunner {

  private final Path home;
  private final Map<String, String> env = new HashMap<>();
  private String stdin = "";
  private boolean interactive;

  public CliRunner(Path home) {
    this.home = home;
    env.put("HOME", home.toString());
    env.put("TZ", "UTC");
    env.put("AWS_CONFIG_FILE", home.resolve(".aws").resolve("config").toString());
  }

  public CliRunner env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Whether a person answers at this terminal (prompts for what is missing), as with a console. */
  public CliRunner interactive(boolean answers) {
    interactive = answers;
    return this;
  }

  /** What standard input holds for the next runs. */
  public CliRunner stdin(String text) {
    stdin = text;
    return this;
  }

  public Path configDir() {
    return home.resolve(".config").resolve("airlock");
  }

  public Path awsConfig() {
    return home.resolve(".aws").resolve("config");
  }

  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Terminal t = new Terminal(Map.copyOf(env), new BufferedReader(new StringReader(stdin)), new PrintWriter(out),
        new PrintWriter(err), Clock.systemUTC(), interactive);
    int code = Airlock.run(t, args);
    Result r = new Result(code, out.toString(), err.toString());
    return r;
  }

  /**
   * Starts a command in a thread of its own, for one that waits on something the test does meanwhile
   * (the device sign-in waits for a person at Keycloak): what it printed so far, then its result.
   */
  public Started start(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Terminal t = new Terminal(Map.copyOf(env), new BufferedReader(new StringReader(stdin)), new PrintWriter(out, true),
        new PrintWriter(err, true), Clock.systemUTC(), false);
    java.util.concurrent.CompletableFuture<Result> done = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> new Result(Airlock.run(t, args), out.toString(), err.toString()));
    return new Started(err, done);
  }

  /** A command still running. */
  public record Started(StringWriter errSoFar, java.util.concurrent.CompletableFuture<Result> done) {

    public String err() {
      return errSoFar.toString();
    }

    public Result result(java.time.Duration within) throws Exception {
      return done.get(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  /** An exit code and what was printed. */
  public record Result(int code, String out, String err) {

    /** Standard output as JSON (--output json). */
    public JsonNode json() {
      try {
        return Api.JSON.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }
}
