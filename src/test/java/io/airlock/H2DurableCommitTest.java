package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Nothing answered is lost on the embedded default (issue 22): a request answered 201 was gone
 * after a kill -9, because H2 wrote commits to its file up to WRITE_DELAY (500 ms) later. With
 * the default datasource URL's settings from application.yaml, a child JVM (the H2 jar only)
 * commits rows on four connections and prints each id once its commit has returned; it is
 * killed (SIGKILL) while it writes, and every id it printed must be in the file. Without
 * WRITE_DELAY=0 thousands are lost (docs/benchmark.md, "Durable commits on the embedded H2").
 * A kill of the process, not of the machine: H2 writes each commit to the file but does not
 * fsync it.
 */
class H2DurableCommitTest {

  @TempDir Path dir;

  @Test
  void noAcknowledgedCommitIsLostWhenTheProcessIsKilled() throws Exception {
    String url = defaultUrl().replaceFirst("^jdbc:h2:file:[^;]*", "jdbc:h2:file:" + dir.resolve("airlock").toAbsolutePath());
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      c.createStatement().execute("create table answered(id int primary key, payload varchar(200))");
    }

    List<Integer> acknowledged = new ArrayList<>();
    String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = location(org.h2.Driver.class) + File.pathSeparator + location(Writer.class);
    Process child = new ProcessBuilder(javaCommand, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classpath,
        Writer.class.getName(), url, "4").redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      Thread reader = new Thread(() -> readIds(child.getInputStream(), acknowledged));
      reader.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (count(acknowledged) < 2000 && System.nanoTime() < deadline && child.isAlive()) {
        Thread.sleep(10);
      }
      assertThat(count(acknowledged)).as("commits before the kill").isGreaterThanOrEqualTo(2000);
      child.toHandle().destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(10));
    } finally {
      child.toHandle().destroyForcibly();
    }

    Set<Integer> stored = new HashSet<>();
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        ResultSet rows = c.createStatement().executeQuery("select id from answered")) {
      while (rows.next()) {
        stored.add(rows.getInt(1));
      }
    }
    List<Integer> lost;
    synchronized (acknowledged) {
      lost = acknowledged.stream().filter(id -> !stored.contains(id)).toList();
    }
    assertThat(lost).as("committed, acknowledged and gone after SIGKILL, of " + count(acknowledged) + " (" + url + ")").isEmpty();
  }

  /** The default of spring.datasource.url in application.yaml: ${AIRLOCK_DB_URL:<this>}. */
  @SuppressWarnings("unchecked")
  private static String defaultUrl() throws IOException {
    try (InputStream yaml = H2DurableCommitTest.class.getResourceAsStream("/application.yaml")) {
      Map<String, Object> first = (Map<String, Object>) new Yaml().loadAll(yaml).iterator().next();
      Map<String, Object> datasource = (Map<String, Object>) ((Map<String, Object>) first.get("spring")).get("datasource");
      String url = (String) datasource.get("url");
      assertThat(url).startsWith("${AIRLOCK_DB_URL:jdbc:h2:file:").endsWith("}");
      return url.substring("${AIRLOCK_DB_URL:".length(), url.length() - 1);
    }
  }

  private static String location(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  private static void readIds(InputStream out, List<Integer> acknowledged) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(out, StandardCharsets.US_ASCII))) {
      String line;
      while ((line = lines.readLine()) != null) {
        synchronized (acknowledged) {
          acknowledged.add(Integer.parseInt(line));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the child was killed mid-line: what it printed whole is what it acknowledged
    }
  }

  private static int count(List<Integer> acknowledged) {
    synchronized (acknowledged) {
      return acknowledged.size();
    }
  }

  /** The child: commits rows on {@code args[1]} connections until killed, printing each id once its commit returned. */
  static final class Writer {
    public static void main(String[] args) {
      String url = args[0];
      AtomicInteger next = new AtomicInteger();
      for (int t = 0; t < Integer.parseInt(args[1]); t++) {
        new Thread(() -> {
          try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.setAutoCommit(false);
            PreparedStatement insert = c.prepareStatement("insert into answered values (?, ?)");
            while (true) {
              int id = next.incrementAndGet();
              insert.setInt(1, id);
              insert.setString(2, "request " + id);
              insert.executeUpdate();
              c.commit();
              synchronized (System.out) {
                System.out.println(id);
              }
            }
          } catch (SQLException e) {
            e.printStackTrace();
          }
        }).start();
      }
    }
  }
}
