package io.airlock.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/** Airlock's Flyway migrations as the build ships them ({@code db/migration/V<version>__<name>.sql}). */
public final class Migrations {

  private Migrations() {
  }

  /** Every version, oldest first ("1", "2", …, "87.5", …). */
  public static List<MigrationVersion> versions() {
    try {
      Resource[] files = new PathMatchingResourcePatternResolver().getResources("classpath*:db/migration/V*__*.sql");
      return Arrays.stream(files)
          .map(f -> MigrationVersion.fromVersion(f.getFilename().substring(1, f.getFilename().indexOf("__"))))
          .distinct()
          .sorted(Comparator.naturalOrder())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The newest version: what a start of the current Airlock migrates to. */
  public static String latest() {
    List<MigrationVersion> all = versions();
    return all.get(all.size() - 1).getVersion();
  }
}
