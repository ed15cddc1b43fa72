package io.airlock.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * One settings tree: every {@code airlock.*} setting is a typed, validated
 * {@code @ConfigurationProperties} component, described in Spring Boot's configuration metadata
 * (built from those records at compile time, so IDEs complete and explain them). A setting
 * application.yaml sets, or a placeholder in the code reads, that no record binds would be a
 * setting nobody validates; an {@code @Value} on {@code airlock.*} would be a second place for a
 * default.
 */
class SettingsTreeTest {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(airlock\\.[a-z0-9.-]+)");

  @Test
  void everySettingInApplicationYamlIsBoundAndDescribed() throws IOException {
    Set<String> known = metadata();
    List<String> unbound = new ArrayList<>();
    for (String key : yamlKeys()) {
      if (!boundBy(key, known)) {
        unbound.add(key);
      }
    }
    assertThat(known).as("the metadata describes Airlock's settings").contains("airlock.aws.calls-per-second",
        "airlock.aws.sandbox.s3-folder", "airlock.cluster.shutdown-grace", "airlock.notify.ending-soon-check",
        "airlock.log.format");
    assertThat(unbound).as("airlock.* settings in application.yaml that no @ConfigurationProperties binds").isEmpty();
  }

  @Test
  void theCodeReadsNoAirlockSettingOutsideTheTree() throws IOException {
    Set<String> known = metadata();
    List<String> atValue = new ArrayList<>();
    Set<String> unbound = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String source = Files.readString(f);
        if (source.contains("@Value(\"${airlock.")) {
          atValue.add(f.toString());
        }
        Matcher m = PLACEHOLDER.matcher(source);
        while (m.find()) {
          if (!boundBy(m.group(1), known)) {
            unbound.add(m.group(1) + " in " + f.getFileName());
          }
        }
      }
    }
    assertThat(atValue).as("@Value on airlock.* settings (bind them in a properties record)").isEmpty();
    assertThat(unbound).as("placeholders naming airlock.* settings no record binds").isEmpty();
  }

  /** A key is bound when it, or a map-valued setting above it, is in the metadata. */
  private static boolean boundBy(String key, Set<String> known) {
    String k = key;
    while (k.contains(".")) {
      if (known.contains(k)) {
        return true;
      }
      k = k.substring(0, k.lastIndexOf('.'));
    }
    return false;
  }

  private static Set<String> metadata() throws IOException {
    Set<String> names = new TreeSet<>();
    // Every jar has its own; Airlock's is the one naming airlock.* settings.
    var all = SettingsTreeTest.class.getClassLoader().getResources("META-INF/spring-configuration-metadata.json");
    while (all.hasMoreElements()) {
      try (InputStream in = all.nextElement().openStream()) {
        for (JsonNode p : new ObjectMapper().readTree(in).path("properties")) {
          if (p.path("name").asText().startsWith("airlock.")) {
            names.add(p.path("name").asText());
          }
        }
      }
    }
    assertThat(names).as("spring-boot-configuration-processor wrote Airlock's metadata").isNotEmpty();
    return names;
  }

  /** Every leaf under {@code airlock:} in every document (profile) of application.yaml. */
  private static Set<String> yamlKeys() throws IOException {
    Set<String> keys = new TreeSet<>();
    try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.yaml"))) {
      for (Object doc : new Yaml().loadAll(in)) {
        if (doc instanceof Map<?, ?> map && map.get("airlock") != null) {
          walk(map.get("airlock"), "airlock", keys);
        }
      }
    }
    assertThat(keys).as("application.yaml's airlock settings").hasSizeGreaterThan(50);
    return keys;
  }

  private static void walk(Object node, String prefix, Set<String> keys) {
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, prefix + "." + k, keys));
    } else {
      keys.add(prefix);
    }
  }
}
