package io.airlock.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A built Airlock jar (an earlier release's, say) in a JVM of its own, on a loopback port, up once
 * its health answers. {@link #close()} stops it as an operator would, with {@code SIGTERM} (a
 * graceful stop), and kills it only if it is still there a minute later.
 */
public final class ReleaseJar implements AutoCloseable {

  private final Process process;
  private final int port;

  private ReleaseJar(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts {@code java -jar jar --server.port=… settings…} and waits (at most 4 minutes) until it is up. */
  public static ReleaseJar start(Path jar, List<String> settings, Path log) throws IOException {
    int port = AirlockNode.freePort();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toAbsolutePath().toString(), "--server.port=" + port));
    command.addAll(settings);
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    ReleaseJar running = new ReleaseJar(process, port);
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
        .timeout(Duration.ofSeconds(5)).build();
    try {
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
          .failFast("the jar exited; see " + log.toAbsolutePath(), () -> !process.isAlive())
          .until(() -> answers(http, health));
    } catch (RuntimeException e) {
      running.close();
      throw e;
    }
    return running;
  }

  /** Any answer will do (401 without credentials): the web server is up only once the context is. */
  private static boolean answers(HttpClient http, HttpRequest health) throws InterruptedException {
    try {
      return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() < 500;
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
