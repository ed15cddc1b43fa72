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

  private TestPostgres() {}

  public static EmbeddedPostgres start() throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("unix_socket_directories", "")
        .setServerConfig("fsync", "off");
    if (isRoot() && !userNamespacesWork()) {
      builder.setPgBinaryResolver(new RunAsNobody());
    }
    return builder.start();
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
