package io.airlock.support;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Keycloak for the tests: the {@code keycloak-quarkus-dist} the build unpacked into
 * {@code target/keycloak} (pom.xml, maven-dependency-plugin), built once ({@code kc.sh build},
 * dev-file database), started once per test run on 127.0.0.1 with free ports and a fresh
 * database, with {@code keycloak-realm/airlock-realm.json} imported, and stopped by its process
 * id when the run ends. Register with {@code @ExtendWith(KeycloakServer.class)}; read the running
 * server with {@link #get()} (e.g. in {@code @DynamicPropertySource}).
 *
 * <p>As in production, Keycloak has a public URL and an internal one: browsers reach it through a
 * {@link FrontDoor} (the ingress, here a TCP relay on 127.0.0.1) at {@code http://localhost:<port>},
 * which is Keycloak's {@code hostname} and so its tokens' issuer; Airlock (and the tests' own calls)
 * reach it directly at {@code http://127.0.0.1:<port>} ({@code hostname-backchannel-dynamic}). The
 * front door can be shut to show what does not depend on it.
 *
 * <p>Airlock's port is chosen here too: the realm's redirect URIs name it at import.
 */
public final class KeycloakServer implements BeforeAllCallback {

  public static final String WEBAPP_SECRET = "test-webapp-secret-" + Long.toHexString(System.nanoTime());
  public static final String IDENTITY_SECRET = "test-identity-secret-" + Long.toHexString(System.nanoTime());
  public static final String METRICS_SECRET = "test-metrics-secret-" + Long.toHexString(System.nanoTime());
  public static final String PASSWORD = "demo-password-of-the-tests";
  /**
   * The test-only client with the password grant (the realm has none), and the authorization code
   * flow to {@link #TEST_CALLBACK}: tokens for the REST API. Only a browser sign-in's tokens carry
   * {@code auth_time}, which approving needs (Keycloak sets it at the end of a browser flow, as for
   * airlock-cli's device sign-in; not at a password grant).
   */
  public static final String TEST_CLIENT = "airlock-test";
  /** Where the test client's authorization codes are sent: a path of Airlock's that answers anyone (404). */
  public static final String TEST_CALLBACK = "/portal/test-callback";
  private static final String ADMIN = "kc-admin";
  private static final String ADMIN_PASSWORD = "kc-admin-" + Long.toHexString(System.nanoTime());
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Running running;

  /**
   * The running server, started at the first call (a test class with {@code PER_CLASS}
   * lifecycle loads its Spring context, and so its {@code @DynamicPropertySource}, before any
   * {@code beforeAll}).
   */
  public static synchronized Running get() {
    if (running == null) {
      running = start();
      // Stopped by the extension at the end of the run; this hook only if that never happened.
      Running started = running;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "keycloak-stop"));
    }
    return running;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(KeycloakServer.class, k -> get(), Running.class);
    restartIfStopped();
  }

  /**
   * A test class that stopped Keycloak (an outage) leaves it stopped; the next class gets it back,
   * on the same ports and database (so the URLs its Spring context was given stay right).
   */
  private static synchronized void restartIfStopped() {
    if (running.stoppedOnPurpose && !running.process.isAlive()) {
      Running stopped = running;
      running = stopped.restart();
      Runtime.getRuntime().addShutdownHook(new Thread(running::close, "keycloak-stop"));
    }
  }

  /** A started Keycloak; closed (process stopped) when the test run ends. */
  public static final class Running implements ExtensionContext.Store.CloseableResource {
    private final Process process;
    private final FrontDoor frontDoor;
    private final int internalPort;
    private final int management;
    private volatile boolean stoppedOnPurpose;
    /** The port browsers reach Keycloak at (the front door's). */
    public final int port;
    public final int appPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Running(Process process, FrontDoor frontDoor, int internalPort, int management, int appPort) {
      this.process = process;
      this.frontDoor = frontDoor;
      this.internalPort = internalPort;
      this.management = management;
      this.port = frontDoor.port;
      this.appPort = appPort;
    }

    /** The public URL: where browsers go, Keycloak's hostname, the issuer's base. */
    public String url() {
      return "http://localhost:" + port;
    }

    /** Where Airlock and the tests' own calls reach Keycloak, past the front door. */
    public String internalUrl() {
      return "http://127.0.0.1:" + internalPort;
    }

    /** The realm's issuer, as its tokens name it (the public URL). */
    public String issuer() {
      return url() + "/realms/airlock";
    }

    private String internalIssuer() {
      return internalUrl() + "/realms/airlock";
    }

    /** Shuts the front door (the public URL refuses connections) or opens it again. */
    public void frontDoor(boolean open) {
      frontDoor.open(open);
    }

    /**
     * Stops Keycloak by its process ids, as an outage would (its data stays); the next test class
     * that uses it starts it again on the same ports.
     */
    public void stop() {
      stoppedOnPurpose = true;
      close();
    }

    private Running restart() {
      try {
        return launchOn(home(), frontDoor, internalPort, management, appPort);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** A token of the test client by the password grant, or the error answer's JSON. */
    public JsonNode passwordGrant(String user, String password) {
      return form(internalIssuer() + "/protocol/openid-connect/token", Map.of("grant_type", "password",
          "client_id", TEST_CLIENT, "username", user, "password", password, "scope", "openid"), null);
    }

    public String accessToken(String user) {
      JsonNode token = passwordGrant(user, PASSWORD);
      if (!token.has("access_token")) {
        throw new IllegalStateException("no token for " + user + ": " + token);
      }
      return token.get("access_token").asText();
    }

    /** The Keycloak admin REST API of the realm, as the master realm's admin. */
    public JsonNode admin(String method, String path, Object body) {
      return adminApi(method, "/airlock" + path, body);
    }

    /** The Keycloak admin REST API under {@code /admin/realms} (e.g. "" to create a realm). */
    public JsonNode adminApi(String method, String path, Object body) {
      String token = form(internalUrl() + "/realms/master/protocol/openid-connect/token", Map.of("grant_type", "password",
          "client_id", "admin-cli", "username", ADMIN, "password", ADMIN_PASSWORD), null).get("access_token").asText();
      try {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(internalUrl() + "/admin/realms" + path))
            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30));
        if (body == null) {
          b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
          b.header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
          throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** The Keycloak user id of a user name. */
    public String userId(String username) {
      return admin("GET", "/users?exact=true&username=" + username, null).get(0).get("id").asText();
    }

    public JsonNode form(String url, Map<String, String> fields, String bearer) {
      String body = fields.entrySet().stream()
          .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
          .collect(Collectors.joining("&"));
      try {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
          b.header("Authorization", "Bearer " + bearer);
        }
        return JSON.readTree(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      if (!process.isAlive()) {
        return;
      }
      // kc.sh and the JVM it starts: each by its process id, and gone (port closed) before this returns.
      List<ProcessHandle> processes = new ArrayList<>(process.toHandle().descendants().toList());
      processes.add(0, process.toHandle());
      processes.forEach(ProcessHandle::destroy);
      for (ProcessHandle p : processes) {
        try {
          p.onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
          p.destroyForcibly();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          p.destroyForcibly();
        }
      }
    }
  }

  private static Running start() {
    Path home = home();
    try {
      Path built = home.resolve(".airlock-built");
      if (!Files.exists(built)) {
        run(home, List.of("build", "--db=dev-file", "--health-enabled=true"), Map.of(), home.resolve("build.log"));
        Files.writeString(built, "dev-file, health\n");
      }
      // A fresh database each run: the import only creates a realm that does not exist yet.
      Path data = home.resolve("data");
      if (Files.exists(data)) {
        try (Stream<Path> files = Files.walk(data)) {
          files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
        }
      }
      Path importDir = Files.createDirectories(data.resolve("import"));
      Files.copy(Paths.get("keycloak-realm", "airlock-realm.json"), importDir.resolve("airlock-realm.json"));
      // The demo users (alice, bob, ...) live apart from the realm, so a production import has none.
      Files.copy(Paths.get("keycloak-realm", "demo", "airlock-users-0.json"), importDir.resolve("airlock-users-0.json"));

      return launchOn(home, new FrontDoor(), freePort(), freePort(), freePort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts Keycloak on these ports (on its database as it is) and waits until it is ready. */
  private static Running launchOn(Path home, FrontDoor frontDoor, int port, int management, int appPort)
      throws IOException {
    frontDoor.to(port);
    Map<String, String> env = Map.of(
        "AIRLOCK_BASE_URL", "http://127.0.0.1:" + appPort,
        "AIRLOCK_KEYCLOAK_CLIENT_SECRET", WEBAPP_SECRET,
        "AIRLOCK_KEYCLOAK_IDENTITY_SECRET", IDENTITY_SECRET,
        "AIRLOCK_KEYCLOAK_METRICS_SECRET", METRICS_SECRET,
        "AIRLOCK_DEMO_PASSWORD", PASSWORD,
        "KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN,
        "KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD,
        // A quicker start for a short-lived server (C1 only), as Spring Boot's devtools do.
        "JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1");
    // The public URL is the hostname (tokens' issuer, the pages' links); calls at the internal
    // URL are answered there (backchannel), as docker/compose.yaml configures it.
    Process process = launch(home, List.of("start", "--optimized", "--import-realm", "--http-enabled=true",
        "--hostname=http://localhost:" + frontDoor.port, "--hostname-backchannel-dynamic=true",
        "--http-host=127.0.0.1", "--http-port=" + port,
        "--http-management-port=" + management, "--cache=local"), env, home.resolve("keycloak.log"));
    boolean fresh = running == null;
    Running started = new Running(process, frontDoor, port, management, appPort);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI ready = URI.create("http://127.0.0.1:" + management + "/health/ready");
    try {
      // About 20 s on an idle machine, minutes when the machine is busy.
      await("Keycloak ready (" + home.resolve("keycloak.log") + ")").atMost(Duration.ofMinutes(6))
          .pollInterval(Duration.ofSeconds(2))
          .failFast("Keycloak exited", () -> !process.isAlive())
          .until(() -> {
            try {
              return http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                  HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
              return false;
            }
          });
      if (fresh) {
        addTestClient(started);
      }
      return started;
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
  }

  /**
   * Keycloak's public entrance, as an ingress or TLS proxy would be: a TCP relay on 127.0.0.1 that
   * passes each connection on to Keycloak's own port. Shut, it refuses connections (and drops the
   * open ones), as an unreachable public URL does.
   */
  static final class FrontDoor {
    final int port;
    private volatile int target;
    private ServerSocket socket;
    private final List<java.net.Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();

    FrontDoor() throws IOException {
      socket = bind(0);
      port = socket.getLocalPort();
      accept(socket);
    }

    void to(int targetPort) {
      target = targetPort;
    }

    synchronized void open(boolean open) {
      try {
        if (open && socket == null) {
          socket = bind(port);
          accept(socket);
        } else if (!open && socket != null) {
          socket.close();
          socket = null;
          for (java.net.Socket s : this.open) {
            s.close();
          }
          this.open.clear();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static ServerSocket bind(int port) throws IOException {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
      return s;
    }

    private void accept(ServerSocket server) {
      Thread t = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            java.net.Socket browser = server.accept();
            java.net.Socket keycloak;
            try {
              keycloak = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), target);
            } catch (IOException e) {
              browser.close(); // Keycloak is not there: as a proxy without a backend would, hang up
              continue;
            }
            open.add(browser);
            open.add(keycloak);
            pipe(browser, keycloak);
            pipe(keycloak, browser);
          } catch (IOException e) {
            // closed, or Keycloak refused: the browser's connection ends
          }
        }
      }, "keycloak-front-door");
      t.setDaemon(true);
      t.start();
    }

    private void pipe(java.net.Socket from, java.net.Socket to) {
      Thread t = new Thread(() -> {
        try (var in = from.getInputStream(); var out = to.getOutputStream()) {
          in.transferTo(out);
        } catch (IOException e) {
          // the other side closed
        } finally {
          try {
            from.close();
            to.close();
          } catch (IOException e) {
            // already closed
          }
          open.remove(from);
          open.remove(to);
        }
      }, "keycloak-front-door-pipe");
      t.setDaemon(true);
      t.start();
    }
  }

  /** The realm has no password-grant client (by design); the tests add one to get API tokens. */
  private static void addTestClient(Running kc) {
    JsonNode webapp = kc.admin("GET", "/clients?clientId=airlock-webapp", null).get(0);
    Map<String, Object> client = new java.util.LinkedHashMap<>();
    client.put("clientId", TEST_CLIENT);
    client.put("publicClient", true);
    client.put("standardFlowEnabled", true);
    client.put("redirectUris", List.of("http://127.0.0.1:" + kc.appPort + TEST_CALLBACK));
    client.put("directAccessGrantsEnabled", true);
    client.put("protocolMappers", JSON.convertValue(webapp.get("protocolMappers"), List.class).stream()
        .map(m -> {
          @SuppressWarnings("unchecked")
          Map<String, Object> copy = new java.util.LinkedHashMap<>((Map<String, Object>) m);
          copy.remove("id");
          return copy;
        }).toList());
    kc.admin("POST", "/clients", client);
  }

  private static Path home() {
    try (Stream<Path> dirs = Files.list(Paths.get("target", "keycloak"))) {
      return dirs.filter(p -> p.getFileName().toString().startsWith("keycloak-") && Files.isDirectory(p))
          .findFirst().orElseThrow(() -> new IllegalStateException(
              "target/keycloak/keycloak-*: run the build's process-test-resources phase (mvn test does)"))
          .toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException("target/keycloak missing: run mvn process-test-resources", e);
    }
  }

  private static Process launch(Path home, List<String> args, Map<String, String> env, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin").resolve("kc.sh").toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  private static void run(Path home, List<String> args, Map<String, String> env, Path log) throws IOException {
    Process p = launch(home, args, env, log);
    try {
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("kc.sh " + args + " failed, see " + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
