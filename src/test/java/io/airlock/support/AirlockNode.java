package io.airlock.support;

import static org.awaitility.Awaitility.await;

import io.airlock.AirlockApplication;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * An Airlock node in a JVM of its own: the application's main class (test classes left off its
 * class path) on a test's database, in sandbox mode against that test's AWS emulator
 * ({@code airlock.aws.sandbox.endpoint}), so that AWS's state outlives the node. Started on a
 * loopback port, up once its health answers, and stopped by its process id: {@link #kill()} is
 * {@code SIGKILL}, nothing handed back; {@link #close()} kills it too if it is still alive.
 */
public final class AirlockNode implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private AirlockNode(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts a node and waits until it is up (at most 4 minutes).
   *
   * @param settings further {@code --name=value} settings (job executor, quotas, reconciler, …)
   */
  public static AirlockNode start(int port, String jdbcUrl, String dbUser, URI emulator, List<String> jvmOptions,
      List<String> settings, Path log) throws IOException {
    String classPath = Arrays.stream(System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")).split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("test-classes/"))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, AirlockApplication.class.getName(),
        "--server.port=" + port,
        "--spring.datasource.url=" + jdbcUrl,
        "--spring.datasource.username=" + dbUser,
        "--spring.datasource.password=",
        // The sandbox as a process of its own (here the test's JVM): its state outlives the node.
        "--airlock.aws.sandbox.enabled=true",
        "--airlock.aws.sandbox.endpoint=" + emulator));
    command.addAll(settings);
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    AirlockNode node = new AirlockNode(process, port, log);
    try {
      HttpClient http = HttpClient.newHttpClient();
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
          .failFast("the node exited; see " + log.toAbsolutePath(), () -> !process.isAlive())
          .until(() -> node.healthy(http));
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private boolean healthy(HttpClient http) throws InterruptedException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
              "admin:airlock".getBytes(StandardCharsets.UTF_8)))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** {@code SIGKILL}: no shutdown hook, no jobs handed back; their locks stay until they expire. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("node " + process.pid() + " still alive 30 s after SIGKILL");
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A free TCP port on 127.0.0.1. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
