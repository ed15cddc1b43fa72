package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image as docker/Dockerfile makes it, on a machine without a Docker engine (README, "What was
 * run where"): the jar {@code mvn package} built, split into layers by the Dockerfile's own
 * {@code RUN} command, every directory its {@code COPY --from=layers} lines take present, and Airlock
 * started from those layers, merged into one directory as the image's {@code /app}, with the image's
 * {@code ENTRYPOINT} and {@code ENV} until readiness is UP and the image's {@code HEALTHCHECK} command
 * answers 0. What the container would change is changed for this machine and said so: embedded
 * defaults (the AWS sandbox, H2 in the temporary directory), 127.0.0.1 and a free port.
 *
 * <p>Runs in {@code mvn verify} after {@code package} (maven-failsafe-plugin runs {@code *IT}).
 */
class DockerImageIT {

  private static final Path DOCKERFILE = Path.of("docker", "Dockerfile");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void airlockStartsFromTheImagesLayersAndItsHealthCheckPasses() throws Exception {
    Dockerfile dockerfile = Dockerfile.read(DOCKERFILE);

    // Stage "layers": COPY --from=build /src/target/airlock-[0-9]*.jar app.jar, then its RUN.
    String jarGlob = dockerfile.args("layers", "COPY").get(0).split("\\s+")[1].replace("/src/", "");
    Path jar = single(jarGlob);
    Path layers = Files.createDirectories(work.resolve("layers"));
    Files.copy(jar, layers.resolve("app.jar"));
    List<String> extract = Arrays.asList(dockerfile.args("layers", "RUN").get(0).split("\\s+"));
    assertThat(extract).as("the Dockerfile splits the jar with Spring Boot's jar tools").startsWith("java", "-Djarmode=tools");
    long extracting = System.nanoTime();
    Process tools = new ProcessBuilder(withThisJava(extract)).directory(layers.toFile()).redirectErrorStream(true)
        .redirectOutput(work.resolve("extract.log").toFile()).start();
    assertThat(tools.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(tools.exitValue()).as(Files.readString(work.resolve("extract.log"))).isZero();
    long extractMillis = (System.nanoTime() - extracting) / 1_000_000;

    // The final stage: each COPY --from=layers <dir>/ ./ into /app, in order.
    Path app = Files.createDirectories(work.resolve("app"));
    List<String> copied = new ArrayList<>();
    for (String copy : dockerfile.args("", "COPY")) {
      Matcher m = Pattern.compile("--from=layers\\s+/layers/(\\S+?)/?\\s+\\./").matcher(copy);
      if (m.find()) {
        Path layer = layers.resolve(m.group(1));
        assertThat(layer).as("COPY " + m.group(1) + ": the jar tools made it").isDirectory();
        copyInto(layer, app);
        copied.add(layer.getFileName().toString());
      }
    }
    assertThat(copied).as("the layers, the application's last")
        .containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");
    assertThat(app.resolve("org/springframework/boot/loader/launch/JarLauncher.class")).isRegularFile();
    assertThat(app.resolve("BOOT-INF/classes/bpmn")).as("the models are in the application layer").isDirectory();

    // ENTRYPOINT with the image's ENV, then what this machine needs instead of the container's.
    Map<String, String> env = new LinkedHashMap<>(dockerfile.env());
    assertThat(env).containsEntry("AIRLOCK_AWS_SANDBOX", "false").containsEntry("AIRLOCK_LOG_FORMAT", "json");
    int port = freePort();
    env.put("AIRLOCK_SERVER_ADDRESS", "127.0.0.1"); // the image: 0.0.0.0, inside its container
    env.put("AIRLOCK_AWS_SANDBOX", "true"); // the image: real AWS; here the embedded defaults
    env.put("AIRLOCK_AWS_SANDBOX_PORT", "0");
    env.put("SERVER_PORT", String.valueOf(port));
    List<String> entrypoint = withThisJava(dockerfile.execForm("ENTRYPOINT"));
    ProcessBuilder pb = new ProcessBuilder(entrypoint).directory(app.toFile()).redirectErrorStream(true)
        .redirectOutput(work.resolve("airlock.log").toFile());
    pb.environment().putAll(env);
    long starting = System.nanoTime();
    Process airlock = pb.start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      URI readiness = URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness");
      await("readiness UP (" + work.resolve("airlock.log") + ")").atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofMillis(500))
          .failFast("Airlock exited: " + tail(work.resolve("airlock.log")), () -> !airlock.isAlive())
          .until(() -> {
            try {
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(5)).build(),
                  HttpResponse.BodyHandlers.ofString());
              return r.statusCode() == 200 && "UP".equals(JSON.readTree(r.body()).path("status").asText());
            } catch (IOException e) {
              return false;
            }
          });
      long readyMillis = (System.nanoTime() - starting) / 1_000_000;

      // The image's HEALTHCHECK, as Docker runs it (exec form), against this process.
      ProcessBuilder check = new ProcessBuilder(dockerfile.execForm("HEALTHCHECK")).redirectErrorStream(true);
      check.environment().put("AIRLOCK_SERVER_PORT", String.valueOf(port));
      Process probe = check.start();
      assertThat(probe.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(probe.exitValue()).as("HEALTHCHECK: " + new String(probe.getInputStream().readAllBytes())).isZero();

      // JSON logs (the image's AIRLOCK_LOG_FORMAT), one object a line, for a log shipper.
      String firstLine = Files.readAllLines(work.resolve("airlock.log")).stream()
          .filter(l -> l.startsWith("{")).findFirst().orElse("");
      assertThat(JSON.readTree(firstLine).has("@timestamp")).as(firstLine).isTrue();
      System.out.printf("Image layers: extracted in %d ms; Airlock ready from them in %d ms%n", extractMillis, readyMillis);
    } finally {
      airlock.destroy(); // SIGTERM, as docker stop sends
      if (!airlock.waitFor(60, TimeUnit.SECONDS)) {
        airlock.destroyForcibly();
      }
    }
    assertThat(airlock.exitValue()).as("a graceful stop").isIn(0, 143);
  }

  /** The Dockerfile's instructions, by stage (its {@code AS} name; "" for the last, unnamed stage). */
  record Dockerfile(Map<String, List<String[]>> stages) {

    static Dockerfile read(Path file) throws IOException {
      Map<String, List<String[]>> stages = new LinkedHashMap<>();
      List<String[]> current = null;
      String joined = Files.readString(file).replaceAll("\\\\\\r?\\n", " ");
      for (String line : joined.split("\\r?\\n")) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] instruction = trimmed.split("\\s+", 2);
        if (instruction[0].equals("FROM")) {
          Matcher as = Pattern.compile("(?i)\\sAS\\s+(\\S+)").matcher(trimmed);
          current = new ArrayList<>();
          stages.put(as.find() ? as.group(1) : "", current);
        } else if (current != null) {
          current.add(new String[] {instruction[0], instruction.length > 1 ? instruction[1] : ""});
        }
      }
      return new Dockerfile(stages);
    }

    List<String> args(String stage, String instruction) {
      return stages.get(stage).stream().filter(i -> i[0].equals(instruction)).map(i -> i[1]).toList();
    }

    /** The last stage's ENV, {@code KEY=value} pairs (quoted values unquoted). */
    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      Matcher m = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\"[^\"]*\"|\\S+)").matcher(String.join(" ", args("", "ENV")));
      while (m.find()) {
        env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
      }
      return env;
    }

    /** The exec form (JSON array) of the last stage's ENTRYPOINT, or of HEALTHCHECK's CMD. */
    List<String> execForm(String instruction) throws IOException {
      String arg = args("", instruction).get(0);
      String array = arg.substring(arg.indexOf('['));
      return Arrays.asList(JSON.readValue(array, String[].class));
    }
  }

  /** {@code java} of the command as this JVM's own (the image's JRE is Temurin 17, as this build's). */
  private static List<String> withThisJava(List<String> command) {
    List<String> c = new ArrayList<>(command);
    assertThat(c.get(0)).isEqualTo("java");
    c.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return c;
  }

  private static Path single(String glob) throws IOException {
    Path dir = Path.of(glob).getParent();
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> jars = files.filter(p -> dir.getFileSystem().getPathMatcher("glob:" + glob).matches(p)).toList();
      assertThat(jars).as(glob + " after mvn package").hasSize(1);
      return jars.get(0);
    }
  }

  private static void copyInto(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
