package io.airlock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * The AWS emulator as a process of its own, so that AWS's state (assignments, permission sets)
 * outlives Airlock: stop, kill or restart Airlock against it and see what a real organization
 * would hold. Point Airlock at it with {@code AIRLOCK_AWS_SANDBOX_ENDPOINT} (README, "The
 * emulator on its own").
 *
 * <pre>
 * java -cp … io.airlock.sandbox.SandboxMain [--port=4566] [--control-port=4567]
 *     [--operation-delay=PT1S] [--operation-delay-spread=0.5s..10s] [--seed=1]
 *     [--throttling-rate=0.5]
 *     [--organization=largest] [--accounts=1000 --users=5000 --groups=200 --permission-sets=500
 *      --assignments=20000 --permission-sets-per-account=5 --ou-fan-out=5 --ou-depth=3]
 * </pre>
 *
 * <p>{@code --organization=largest} seeds the organization beside the demo one (10,000
 * accounts in nested OUs, 50,000 users, 2,000 groups, 500 permission sets, 200,000
 * assignments; {@link OrganizationScale}); the counts set one of their own.
 *
 * <p>Faults can be changed while it runs through a small control API on 127.0.0.1 only
 * ({@code control-port}), JSON in and out:
 * <ul>
 *   <li>{@code GET /faults}: what is injected now;</li>
 *   <li>{@code PUT /faults/throttling} {@code {"rate": 0.5, "seed": 1}}, or
 *       {@code {"operation": "DeleteAccountAssignment", "rate": 1}}: answer that share of
 *       Identity Center calls (of one operation) {@code ThrottlingException};</li>
 *   <li>{@code PUT /faults/outage} {@code {"operation": "CreateAccountAssignment",
 *       "errorCode": "ServiceUnavailableException", "httpStatus": 503}}: every call of it fails
 *       until {@code DELETE /faults/outage?operation=…};</li>
 *   <li>{@code DELETE /faults}: no faults.</li>
 * </ul>
 * A bad body is a 400 naming the field. It stops on SIGTERM (or Ctrl-C).
 */
public final class SandboxMain implements AutoCloseable {

  private final AwsSandbox sandbox;
  private final HttpServer control;

  private SandboxMain(AwsSandbox sandbox, HttpServer control) {
    this.sandbox = sandbox;
    this.control = control;
  }

  public static void main(String[] args) throws Exception {
    SandboxMain main = start(args);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      main.close();
      stopped.countDown();
    }, "aws-sandbox-stop"));
    System.out.println("AWS sandbox (emulated organization " + DemoOrganization.ORGANIZATION_ID + ") on "
        + main.sandbox.endpoint() + "; fault control on " + main.controlEndpoint() + "/faults");
    stopped.await();
  }

  /** Starts the emulator and its control API with {@code --name=value} arguments (see the class comment). */
  public static SandboxMain start(String... args) throws IOException {
    Map<String, String> a = arguments(args);
    SandboxSettings defaults = SandboxSettings.defaults();
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    SandboxSettings settings = new SandboxSettings(Integer.parseInt(a.getOrDefault("port", "4566")),
        Duration.parse(a.getOrDefault("operation-delay", "PT1S")), defaults.maxCallsPerSecond(),
        defaults.maxCreationsInFlight(), defaults.externalId(),
        DelaySpread.parse(a.getOrDefault("operation-delay-spread", ""), seed), organization(a));
    AwsSandbox sandbox = AwsSandbox.start(settings);
    if (a.containsKey("throttling-rate")) {
      sandbox.faults().throttle(Double.parseDouble(a.get("throttling-rate")), seed);
    }
    HttpServer control;
    try {
      control = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"),
          Integer.parseInt(a.getOrDefault("control-port", "4567"))), 10);
    } catch (IOException | RuntimeException e) {
      sandbox.close();
      throw e;
    }
    control.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "aws-sandbox-control");
      t.setDaemon(true);
      return t;
    }));
    SandboxMain main = new SandboxMain(sandbox, control);
    control.createContext("/faults", main::handleFaults);
    control.start();
    return main;
  }

  public AwsSandbox sandbox() {
    return sandbox;
  }

  public URI controlEndpoint() {
    return URI.create("http://127.0.0.1:" + control.getAddress().getPort());
  }

  @Override
  public void close() {
    control.stop(0);
    sandbox.close();
  }

  private void handleFaults(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      SandboxFaults faults = sandbox.faults();
      try {
        if ("GET".equals(method) && path.equals("/faults")) {
          answer(exchange, 200, faults.describe());
        } else if ("DELETE".equals(method) && path.equals("/faults")) {
          faults.reset();
          answer(exchange, 200, faults.describe());
        } else if ("PUT".equals(method) && path.equals("/faults/throttling")) {
          JsonNode body = body(exchange);
          double rate = number(body, "rate");
          if (body.hasNonNull("operation")) {
            faults.throttle(text(body, "operation"), rate);
          } else {
            faults.throttle(rate, body.path("seed").asLong(1));
          }
          answer(exchange, 200, faults.describe());
        } else if ("PUT".equals(method) && path.equals("/faults/outage")) {
          JsonNode body = body(exchange);
          faults.startOutage(text(body, "operation"), body.path("errorCode").asText("ServiceUnavailableException"),
              body.path("httpStatus").asInt(503));
          answer(exchange, 200, faults.describe());
        } else if ("DELETE".equals(method) && path.equals("/faults/outage")) {
          String query = exchange.getRequestURI().getQuery();
          if (query == null || !query.startsWith("operation=")) {
            throw new IllegalArgumentException("operation: name the operation whose outage ends (?operation=…)");
          }
          faults.endOutage(query.substring("operation=".length()));
          answer(exchange, 200, faults.describe());
        } else {
          answer(exchange, 404, Map.of("error", method + " " + path + " is not part of the fault control API"));
        }
      } catch (IllegalArgumentException e) {
        answer(exchange, 400, Map.of("error", String.valueOf(e.getMessage())));
      }
    }
  }

  private static JsonNode body(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readAllBytes();
      JsonNode node = bytes.length == 0 ? null : JsonRequest.MAPPER.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("body: a JSON object is expected");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("body: not JSON (" + e.getOriginalMessage() + ")");
    }
  }

  private static double number(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || !n.isNumber() || n.asDouble() < 0 || n.asDouble() > 1) {
      throw new IllegalArgumentException(field + ": a number from 0 to 1 is expected");
    }
    return n.asDouble();
  }

  private static String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      throw new IllegalArgumentException(field + ": an AWS operation name is expected, e.g. CreateAccountAssignment");
    }
    return n.asText();
  }

  private static void answer(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
    ObjectNode json = JsonRequest.MAPPER.valueToTree(body);
    byte[] bytes = JsonRequest.MAPPER.writeValueAsBytes(json);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The organization to seed: the demo one, the largest, or counts of one's own. */
  static OrganizationScale organization(Map<String, String> a) {
    OrganizationScale base = "largest".equals(a.get("organization")) ? OrganizationScale.LARGEST
        : OrganizationScale.DEMO;
    return new OrganizationScale(count(a, "accounts", base.accounts()), count(a, "ou-fan-out", base.ouFanOut()),
        count(a, "ou-depth", base.ouDepth()), count(a, "users", base.users()), count(a, "groups", base.groups()),
        count(a, "permission-sets", base.permissionSets()),
        count(a, "permission-sets-per-account", base.permissionSetsPerAccount()),
        count(a, "assignments", base.assignments()));
  }

  private static int count(Map<String, String> a, String name, int otherwise) {
    return a.containsKey(name) ? Integer.parseInt(a.get(name)) : otherwise;
  }

  private static Map<String, String> arguments(String[] args) {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("Arguments are --name=value, e.g. --port=4566: " + arg);
      }
      a.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    return a;
  }
}
