package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/compose.yaml read as Compose reads it (YAML with its anchors and merge keys, variables
 * interpolated from docker/.env.example), on a machine without a Docker engine: what
 * {@code docker compose config} would refuse, and what would only fail at {@code up} (a service that
 * waits for a health check nobody defines, a file mounted from nowhere, a node pointed at a service
 * that does not exist), before an operator finds it.
 */
class DockerComposeFileTest {

  private static final Path DOCKER = Path.of("docker");
  /** {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR:?message}} (and without the colon). */
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?}");
  /** Files compose mounts that each installation makes itself, git-ignored (docker/.gitignore). */
  private static final List<String> MADE_BY_THE_OPERATOR = List.of("./prometheus/metrics-client-secret.txt");

  private final Map<String, Object> compose = load();

  @Test
  void everyServiceHasAnImageOrABuildWhoseDockerfileExists() {
    services().forEach((name, service) -> {
      assertThat(service.containsKey("image") || service.containsKey("build")).as(name).isTrue();
      if (service.get("build") instanceof Map<?, ?> build) {
        Path context = DOCKER.resolve(String.valueOf(build.get("context"))).normalize();
        assertThat(context.resolve(String.valueOf(build.get("dockerfile")))).as(name + "'s Dockerfile").isRegularFile();
      }
    });
  }

  @Test
  void aServiceWaitsOnlyForServicesThatExistAndHaveTheHealthCheckItWaitsFor() throws IOException {
    for (var service : services().entrySet()) {
      Object dependsOn = service.getValue().get("depends_on");
      if (!(dependsOn instanceof Map<?, ?> dependencies)) {
        continue;
      }
      for (var dependency : dependencies.entrySet()) {
        String target = String.valueOf(dependency.getKey());
        String what = service.getKey() + " depends on " + target;
        assertThat(services()).as(what).containsKey(target);
        assertThat(profiles(services().get(target))).as(what + ": not only in a profile").isSubsetOf(
            profiles(service.getValue()));
        if ("service_healthy".equals(((Map<?, ?>) dependency.getValue()).get("condition"))) {
          assertThat(hasHealthCheck(services().get(target))).as(what + " being healthy: it has a health check").isTrue();
        }
      }
    }
  }

  @Test
  void everyMountedFileAndDirectoryIsInTheRepositoryAndEveryNamedVolumeSecretAndNetworkIsDeclared() {
    services().forEach((name, service) -> {
      for (Object volume : list(service.get("volumes"))) {
        String source = String.valueOf(volume).split(":")[0];
        if (source.startsWith(".")) {
          assertThat(DOCKER.resolve(source).normalize()).as(name + " mounts " + source).exists();
        } else {
          assertThat(map(compose.get("volumes"))).as(name + "'s volume " + source).containsKey(source);
        }
      }
      for (Object secret : list(service.get("secrets"))) {
        assertThat(map(compose.get("secrets"))).as(name + "'s secret").containsKey(String.valueOf(secret));
      }
      for (Object network : list(service.get("networks"))) {
        assertThat(map(compose.get("networks"))).as(name + "'s network").containsKey(String.valueOf(network));
      }
    });
    map(compose.get("secrets")).forEach((name, secret) -> {
      String file = String.valueOf(((Map<?, ?>) secret).get("file"));
      assertThat(DOCKER.resolve(file).normalize().toFile().exists() || MADE_BY_THE_OPERATOR.contains(file))
          .as("secret " + name + " from " + file).isTrue();
    });
  }

  @Test
  void publishedPortsAreOnLoopbackUnlessTheOperatorSaysOtherwise() {
    services().forEach((name, service) -> {
      for (Object port : list(service.get("ports"))) {
        // Interpolated with the example's values, which keep the defaults: loopback.
        assertThat(String.valueOf(port)).as(name + " publishes " + port).startsWith("127.0.0.1:");
      }
    });
  }

  /**
   * The addresses the nodes and the load balancer are given name services of this file, at the port
   * those services listen on: the database, Keycloak's internal URL, the nodes behind nginx.
   */
  @Test
  void theNodesAndTheLoadBalancerReachServicesOfThisFile() throws IOException {
    for (String node : List.of("airlock-1", "airlock-2")) {
      Map<String, Object> env = map(services().get(node).get("environment"));
      URI keycloak = URI.create(String.valueOf(env.get("AIRLOCK_KEYCLOAK_INTERNAL_URL")));
      assertThat(services()).as(node + "'s Keycloak " + keycloak).containsKey(keycloak.getHost());
      assertThat(containerPorts(keycloak.getHost())).as(node + "'s Keycloak " + keycloak).contains(keycloak.getPort());
      URI database = URI.create(String.valueOf(env.get("AIRLOCK_DB_URL")).substring("jdbc:".length()));
      assertThat(services()).as(node + "'s database").containsKey(database.getHost());
      assertThat(String.valueOf(env.get("AIRLOCK_KEYCLOAK_URL"))).as("browsers go to Keycloak's public URL")
          .isEqualTo(map(services().get("keycloak").get("environment")).get("KC_HOSTNAME"));
    }
    assertThat(map(services().get("keycloak").get("environment"))).as("Keycloak answers the nodes' internal URL")
        .containsEntry("KC_HOSTNAME_BACKCHANNEL_DYNAMIC", "true");
    Matcher upstream = Pattern.compile("(?m)^\\s*server\\s+([a-z0-9-]+):(\\d+)")
        .matcher(Files.readString(DOCKER.resolve("nginx/airlock.conf")));
    int upstreams = 0;
    while (upstream.find()) {
      upstreams++;
      assertThat(services()).as("nginx's upstream " + upstream.group(1)).containsKey(upstream.group(1));
      assertThat(upstream.group(2)).as("the nodes listen on 8080 (the image's EXPOSE)").isEqualTo("8080");
    }
    assertThat(upstreams).isPositive();
  }

  // --- reading it as Compose does -------------------------------------------------------------------

  private static Map<String, Object> load() {
    try {
      Map<String, String> example = new LinkedHashMap<>();
      for (String line : Files.readAllLines(DOCKER.resolve(".env.example"))) {
        int eq = line.indexOf('=');
        if (!line.startsWith("#") && eq > 0) {
          example.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      Object yaml = new Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
      @SuppressWarnings("unchecked")
      Map<String, Object> interpolated = (Map<String, Object>) interpolate(yaml, example);
      return interpolated;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Compose's interpolation of every string value: the variable's value, else its default. */
  private static Object interpolate(Object node, Map<String, String> env) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), interpolate(v, env)));
      return out;
    }
    if (node instanceof List<?> l) {
      return l.stream().map(v -> interpolate(v, env)).toList();
    }
    if (node instanceof String s) {
      Matcher m = VARIABLE.matcher(s);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = env.get(m.group(1));
        boolean unset = value == null || (value.isEmpty() && ":".equals(m.group(2)));
        String replacement = unset && "-".equals(m.group(3)) ? m.group(4) : value;
        assertThat(replacement).as("${" + m.group(1) + "} has a value in docker/.env.example or a default").isNotNull();
        m.appendReplacement(out, Matcher.quoteReplacement(replacement));
      }
      m.appendTail(out);
      return out.toString();
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Map<String, Object>> services() {
    return (Map<String, Map<String, Object>>) (Map<?, ?>) compose.get("services");
  }

  private boolean hasHealthCheck(Map<String, Object> service) throws IOException {
    if (service.containsKey("healthcheck")) {
      return true;
    }
    if (service.get("build") instanceof Map<?, ?> build) {
      Path dockerfile = DOCKER.resolve(String.valueOf(build.get("context"))).resolve(String.valueOf(build.get("dockerfile")));
      return Pattern.compile("(?m)^HEALTHCHECK\\s").matcher(Files.readString(dockerfile)).find();
    }
    return false;
  }

  /** The ports a service listens on inside the network, as its published ports name them. */
  private List<Integer> containerPorts(String service) {
    List<Integer> ports = new ArrayList<>();
    for (Object port : list(services().get(service).get("ports"))) {
      String[] parts = String.valueOf(port).split(":");
      ports.add(Integer.parseInt(parts[parts.length - 1]));
    }
    return ports;
  }

  private static List<String> profiles(Map<String, Object> service) {
    return list(service.get("profiles")).stream().map(String::valueOf).toList();
  }

  private static List<?> list(Object value) {
    return value instanceof List<?> l ? l : List.of();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }
}
