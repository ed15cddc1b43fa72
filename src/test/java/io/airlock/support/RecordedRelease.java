package io.airlock.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * An earlier release of Airlock recorded under {@code src/test/resources/upgrade/<name>/}: its
 * models (bpmn/, dmn/, forms/ as that release shipped them) and, in {@code release.properties},
 * its commit and its last Flyway migration. See {@code upgrade/README.md}.
 */
public record RecordedRelease(String name, String commit, String flywayVersion) {

  public static RecordedRelease load(String name) {
    String path = "upgrade/" + name + "/release.properties";
    try (InputStream in = RecordedRelease.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("No recorded release at " + path);
      }
      Properties p = new Properties();
      p.load(in);
      return new RecordedRelease(name, p.getProperty("commit"), p.getProperty("flyway"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code airlock.models.patterns} for this release's models, as its own start deployed them. */
  public String modelPatterns() {
    String root = "classpath*:upgrade/" + name + "/";
    return root + "bpmn/**/*.bpmn," + root + "dmn/**/*.dmn," + root + "forms/**/*.form";
  }
}
