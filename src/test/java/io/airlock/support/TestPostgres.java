package io.airlock.support;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Real PostgreSQL 15 for tests, from zonky's Maven binaries, listening on 127.0.0.1 only.
 *
 * <p>PostgreSQL refuses to run as root, and CI runs as root. Zonky then runs the binaries in
 * a user namespace ({@code unshare -U}) where that works. Where it does not, the binaries zonky
 * unpacks are wrappers that run the real initdb and pg_ctl as the unprivileged user {@code nobody}
 * (setpriv, util-linux) after handing it the data directory. Zonky still owns the life cycle:
 * {@link EmbeddedPostgres#close()} stops the server with pg_ctl.
 */
public final class TestPostgres {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres shared;

  private TestPostgres() {}

  /** A server of its own, which the caller closes (the benchmarks). */
  public static EmbeddedPostgres start() throws IOException {
    return builder().start();
  }

  /**
   * A new, empty database on the one server this JVM's tests share, started at the first call and
   * stopped when the JVM exits. Starting and stopping a server took 6-7 s of every test class's
   * context on 2 cores; creating a database takes a few hundred milliseconds. Each context, or each
   * test that owns its database, still has a database of its own, and nothing else on the server.
   */
  public static Database newDatabase() throws IOException {
    EmbeddedPostgres server = shared();
    String name = "airlock_" + DATABASES.incrementAndGet();
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement sql = c.createStatement()) {
      sql.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IOException("cannot create the test database " + name, e);
    }
    return new Database(server, name);
  }

  private static synchronized EmbeddedPostgres shared() throws IOException {
    if (shared == null) {
      // Contexts that Spring caches keep their pools open side by side.
      EmbeddedPostgres server = builder().setServerConfig("max_connections", "500").start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          server.close();
        } catch (IOException e) {
          // the JVM is going away; the data directory is a temporary one
        }
      }, "test-postgres-stop"));
      shared = server;
    }
    return shared;
  }

  /** One database on the shared server; {@link #close()} drops it (and ends what is still connected). */
  public static final class Database implements AutoCloseable {

    private final EmbeddedPostgres server;
    private final String name;

    private Database(EmbeddedPostgres server, String name) {
      this.server = server;
      this.name = name;
    }

    public String name() {
      return name;
    }

    /** The URL, for user {@code postgres} with no password. */
    public String jdbcUrl() {
      return server.getJdbcUrl("postgres", name);
    }

    public DataSource dataSource() {
      return server.getDatabase("postgres", name);
    }

    @Override
    public void close() throws IOException {
      try (Connection c = server.getPostgresDatabase().getConnection(); Statement sql = c.createStatement()) {
        sql.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (SQLException e) {
        throw new IOException("cannot drop the test database " + name, e);
      }
    }
  }

  private static EmbeddedPostgres.Builder builder() {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("unix_socket_directories", "")
        .setServerConfig("fsync", "off");
    if (isRoot() && !userNamespacesWork()) {
      builder.setPgBinaryResolver(new RunAsNobody());
    }
    return builder;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** What zonky checks before it runs PostgreSQL as root through {@code unshare -U}. */
  private static boolean userNamespacesWork() {
    try {
      Process p = new ProcessBuilder("unshare", "-U", "id", "-u").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0 && !out.equals("0") && !out.isEmpty();
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Serves a bundle whose bin/initdb and bin/pg_ctl drop to nobody before running the real ones. */
  static final class RunAsNobody implements PgBinaryResolver {

    private static final String NOBODY = "65534";

    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
      Path home = Path.of(System.getProperty("java.io.tmpdir"), "airlock-pg");
      Path real = home.resolve("real");
      Path bundle = home.resolve("wrappers.txz");
      if (!Files.exists(real.resolve("bin/postgres"))) {
        Files.createDirectories(real);
        try (InputStream txz = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware)) {
          run(txz, "tar", "-xJf", "-", "-C", real.toString());
        }
        run(null, "chmod", "-R", "a+rX", home.toString());
      }
      if (!Files.exists(bundle)) {
        Path wrappers = Files.createTempDirectory(home, "wrappers");
        Path bin = Files.createDirectories(wrappers.resolve("bin"));
        for (String tool : new String[] {"initdb", "pg_ctl"}) {
          Path script = bin.resolve(tool);
          Files.writeString(script, """
              #!/bin/sh
              # Hand the data directory (-D) to nobody, then run the real %1$s as nobody.
              prev=""
              for arg in "$@"; do
                if [ "$prev" = "-D" ]; then chown -R %2$s:%2$s "$arg"; fi
                prev="$arg"
              done
              exec setpriv --reuid=%2$s --regid=%2$s --clear-groups %3$s/bin/%1$s "$@"
              """.formatted(tool, NOBODY, real));
          Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path tmp = home.resolve("wrappers.txz.tmp");
        run(null, "tar", "-cJf", tmp.toString(), "-C", wrappers.toString(), "bin");
        Files.move(tmp, bundle, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      return new FileInputStream(bundle.toFile());
    }

    private static void run(InputStream stdin, String... command) throws IOException {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try {
        if (stdin != null) {
          try (OutputStream out = p.getOutputStream()) {
            stdin.transferTo(out);
          }
        }
        if (p.waitFor() != 0) {
          throw new IOException("command failed: " + String.join(" ", command));
        }
      } catch (InterruptedException e) {
        p.destroy();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted: " + String.join(" ", command), e);
      }
    }
  }
}
