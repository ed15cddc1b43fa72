package io.airlock.web.pages;

import io.airlock.policy.PolicyCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the new-request form offers one person: their catalog's accounts (by name, with OU and
 * environment, production marked), the permissions of the chosen account with their longest
 * duration and approvers, and the durations up to that longest one, as people say them.
 */
record Choices(List<Account> accounts, Account account, List<Permission> permissions, Permission permission,
    List<Option> durations) {

  /** Durations people usually ask for; a permission's own maximum is offered too. */
  static final List<Duration> STEPS = List.of(Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1),
      Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8), Duration.ofHours(12), Duration.ofDays(1));

  record Account(String id, String name, String ouPath, String environment, boolean production, String label) {}

  record Permission(String name, Duration max, List<String> approverGroups, int approvalsRequired,
      boolean breakGlassAllowed, boolean forOthers, String label) {

    /** The craft template ("S3_READ_ONLY") when Airlock crafts a permission set for the request; else null. */
    public String craft() {
      return name.startsWith("craft:") ? name.substring("craft:".length()) : null;
    }
  }

  /** How a crafted permission reads. */
  static String craftLabel(String name) {
    return switch (name) {
      case "craft:S3_READ_ONLY" -> "Read-only on S3 buckets you name (crafted for this request)";
      case "craft:SERVICES_READ_ONLY" -> "Read-only on AWS services you name (crafted for this request)";
      case "craft:CUSTOM" -> "Your own IAM policy (crafted for this request)";
      default -> name;
    };
  }

  record Option(String value, String label) {}

  static Choices of(PolicyCatalog.Catalog catalog, String target, String permission) {
    List<Account> accounts = new ArrayList<>();
    Account chosen = null;
    List<Permission> permissions = new ArrayList<>();
    for (PolicyCatalog.Target t : catalog.targets()) {
      List<Permission> here = t.permissions().stream().map(Choices::permission).toList();
      if (here.isEmpty()) {
        continue;
      }
      Account a = account(t);
      accounts.add(a);
      if (a.id().equals(target)) {
        chosen = a;
        permissions = here;
      }
    }
    Permission p = permissions.stream().filter(x -> x.name().equals(permission)).findFirst().orElse(null);
    List<Option> durations = new ArrayList<>();
    if (p != null) {
      for (Duration d : STEPS) {
        if (d.compareTo(p.max()) < 0) {
          durations.add(new Option(d.toString(), io.airlock.request.RequestLabels.human(d)));
        }
      }
      durations.add(new Option(p.max().toString(), io.airlock.request.RequestLabels.human(p.max()) + " (the longest)"));
    }
    return new Choices(accounts, chosen, permissions, p, durations);
  }

  private static Account account(PolicyCatalog.Target t) {
    String env = t.tags() == null ? null : t.tags().get("environment");
    boolean production = (env != null && env.toLowerCase(Locale.ROOT).startsWith("prod"))
        || (t.ouPath() != null && t.ouPath().toLowerCase(Locale.ROOT).matches(".*\\bprod(uction)?\\b.*"));
    String name = t.name() == null ? t.target() : t.name();
    String label = name + " (" + t.target() + ")" + (t.ouPath() == null || t.ouPath().isBlank() ? "" : " · " + t.ouPath())
        + (production ? " · PRODUCTION" : "");
    return new Account(t.target(), name, t.ouPath(), env, production, label);
  }

  private static Permission permission(PolicyCatalog.Permission p) {
    Duration max = Duration.ofMinutes(p.maxDurationMinutes());
    String who = p.approverGroups().isEmpty() ? "approved by policy"
        : (p.approvalsRequired() > 1 ? p.approvalsRequired() + " approvals from " : "approved by ")
            + String.join(", ", p.approverGroups());
    return new Permission(p.permission(), max, p.approverGroups(), p.approvalsRequired(), p.breakGlassAllowed(),
        p.mayRequestForOthers(), craftLabel(p.permission()) + " · up to " + io.airlock.request.RequestLabels.human(max) + " · " + who);
  }
}
