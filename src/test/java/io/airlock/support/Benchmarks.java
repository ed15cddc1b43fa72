package io.airlock.support;

import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.RequestService;
import io.airlock.request.RequestStatus;
import io.airlock.request.ReviewDecision;
import io.airlock.request.SubmitRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmarks ({@code mvn -Pbenchmark verify}) do alike: many people acting at once
 * through {@link RequestService}, and the report printed and written under {@code target/}.
 */
public final class Benchmarks {

  /** People acting at once when requests are filed or approved. */
  public static final int PEOPLE = 4;

  private Benchmarks() {
  }

  /** One person's action on one item. */
  @FunctionalInterface
  public interface Work<T, R> {
    R apply(T item) throws Exception;
  }

  /**
   * {@code work} on every item, {@code threads} at a time; the results in the items' order. The
   * first failure fails the whole (the benchmark's figures would mean nothing).
   */
  public static <T, R> List<R> inParallel(int threads, List<T> items, Work<T, R> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<R>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit(() -> work.apply(item)));
      }
      List<R> results = new ArrayList<>();
      for (Future<R> f : futures) {
        results.add(f.get(30, TimeUnit.MINUTES));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** One request to file: for whom, where, what and how long. */
  public record Ask(String principal, String account, String permission, String duration) {
  }

  /**
   * Files every request as {@code requester}, {@link #PEOPLE} at a time; each must wait for a
   * review (a benchmark that meant to queue grants behind approvals would measure nothing else).
   */
  public static List<AccessRequest> submitForReview(RequestService requests, Caller requester, List<Ask> asks,
      String justification) throws Exception {
    return inParallel(PEOPLE, asks, ask -> {
      AccessRequest r = requests.submit(new SubmitRequest("AWS", ask.account(), ask.principal(), ask.permission(),
          ask.duration(), justification, null), requester);
      if (r.getStatus() != RequestStatus.PENDING_REVIEW) {
        throw new IllegalStateException("request " + r.getId() + " is " + r.getStatus());
      }
      return r;
    });
  }

  /** Approves every request as {@code approver}, {@link #PEOPLE} at a time. */
  public static void approveAll(RequestService requests, List<String> ids, Caller approver) throws Exception {
    inParallel(PEOPLE, ids, id -> requests.review(id,
        new ReviewDecision(ReviewDecision.Outcome.APPROVE, "benchmark"), approver));
  }

  /** Prints the report between rulers and writes it to {@code target/<fileName>}. */
  public static Path publish(CharSequence report, String fileName) throws IOException {
    System.out.println();
    System.out.println("=".repeat(100));
    System.out.println(report);
    System.out.println("=".repeat(100));
    Path file = Path.of("target", fileName);
    Files.createDirectories(file.getParent());
    Files.writeString(file, report.toString());
    System.out.println("Written to " + file.toAbsolutePath());
    return file;
  }

  /** CPU seconds a process has used so far (user + system, from {@code /proc/<pid>/stat}); 0 when gone. */
  public static double processCpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields after the name: state(0) ppid(1) ... utime(11) stime(12)
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * CPU seconds every PostgreSQL process has used so far: the postmaster of the server process
   * {@code backendPid} ({@code SELECT pg_backend_pid()}) and all its children.
   */
  public static double postgresCpuSeconds(long backendPid) throws IOException {
    long postmaster = ppid(backendPid);
    double cpu = processCpuSeconds(postmaster);
    for (long child : children(postmaster)) {
      cpu += processCpuSeconds(child);
    }
    return cpu;
  }

  private static long ppid(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
  }

  private static List<Long> children(long parent) throws IOException {
    List<Long> result = new ArrayList<>();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        String name = d.getFileName().toString();
        if (name.chars().allMatch(Character::isDigit)) {
          try {
            if (ppid(Long.parseLong(name)) == parent) {
              result.add(Long.parseLong(name));
            }
          } catch (IOException | RuntimeException e) {
            // gone meanwhile
          }
        }
      }
    }
    return result;
  }

  /**
   * Users who ask for their own access: each in the emulator's identity store and in Camunda's,
   * a member of {@code airlock-requesters}; named {@code prefix-000}, {@code prefix-001}, ...
   */
  public static List<String> requesters(io.airlock.sandbox.AwsSandbox sandbox,
      org.camunda.bpm.engine.IdentityService identity, String prefix, int count) {
    List<String> users = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = String.format("%s-%03d", prefix, i);
      sandbox.state().addUser(name, "Probe", name, name + "@airlock.example");
      org.camunda.bpm.engine.identity.User u = identity.newUser(name);
      u.setFirstName("Probe");
      u.setLastName(name);
      identity.saveUser(u);
      identity.createMembership(name, "airlock-requesters");
      users.add(name);
    }
    return users;
  }

  /** Waits until every request of {@code ids} has {@code status} (polling the request table each second). */
  public static void awaitStatus(org.springframework.jdbc.core.JdbcTemplate jdbc, List<String> ids,
      RequestStatus status, java.time.Duration atMost) {
    org.awaitility.Awaitility.await().atMost(atMost).pollInterval(java.time.Duration.ofSeconds(1)).until(() -> {
      Long n = jdbc.queryForObject("SELECT count(*) FROM access_request WHERE status = ? AND id IN ("
          + ids.stream().map(id -> "'" + id + "'").collect(java.util.stream.Collectors.joining(",")) + ")",
          Long.class, status.name());
      return n != null && n == ids.size();
    });
  }
}
