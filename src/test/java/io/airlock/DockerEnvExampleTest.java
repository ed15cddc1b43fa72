package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/.env.example and docker/compose.yaml name the same settings: an operator who fills in the
 * example sees every setting compose reads (those with a default too), and nothing in it is
 * silently ignored.
 */
class DockerEnvExampleTest {

  /** {@code ${VAR}}, {@code ${VAR:?msg}}, {@code ${VAR:-default}}, ... (not {@code $${VAR}}, an escaped dollar). */
  private static final Pattern REFERENCE = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern ASSIGNMENT = Pattern.compile("(?m)^([A-Za-z_][A-Za-z0-9_]*)=");

  @Test
  void everyVariableComposeReadsIsInTheExample() throws IOException {
    assertThat(example()).as("docker/.env.example").containsAll(referenced(compose()));
  }

  @Test
  void everyVariableOfTheExampleIsUsedByCompose() throws IOException {
    Set<String> unused = new TreeSet<>(example());
    unused.removeAll(referenced(compose()));
    // Compose's own settings (COMPOSE_PROJECT_NAME, ...) are read by compose itself, not by the file.
    unused.removeIf(name -> name.startsWith("COMPOSE_"));
    assertThat(unused).as("variables of docker/.env.example that docker/compose.yaml never reads").isEmpty();
  }

  @Test
  void theCheckSeesVariablesWithAndWithoutDefaultsButNotEscapedOnes() {
    String sample = "a: ${NEEDED:?set it}\nb: ${PLAIN}\nc: ${OPTIONAL:-x}\nd: ${ALSO_OPTIONAL-x}\ne: $${ESCAPED}\n";
    assertThat(referenced(sample)).containsExactlyInAnyOrder("NEEDED", "PLAIN", "OPTIONAL", "ALSO_OPTIONAL");
  }

  private static String compose() throws IOException {
    return withoutComments(Files.readString(Path.of("docker", "compose.yaml")));
  }

  private static Set<String> example() throws IOException {
    Set<String> names = new TreeSet<>();
    Matcher m = ASSIGNMENT.matcher(Files.readString(Path.of("docker", ".env.example")));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static Set<String> referenced(String yaml) {
    Set<String> names = new TreeSet<>();
    Matcher m = REFERENCE.matcher(yaml);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static String withoutComments(String yaml) {
    return yaml.replaceAll("(?m)^\\s*#.*$", "");
  }
}
