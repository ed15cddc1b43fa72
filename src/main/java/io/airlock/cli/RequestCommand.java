package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code airlock request}: the portal's new request at a terminal. What is missing or unknown is
 * offered from the catalog; what policy will do is shown before it is filed; {@code --wait}
 * follows it to the outcome and prints the AWS access portal's link, {@code --aws-profile} writes
 * the {@code aws} CLI profile.
 */
@Command(name = "request", description = {"Ask for access to an AWS account for a while.",
    "Missing or unknown values are offered from your catalog; what policy will do is shown first."})
class RequestCommand implements Callable<Integer> {

  @ParentCommand Airlock root;

  @Option(names = {"-a", "--account"}, paramLabel = "ACCOUNT", description = "the account: its name (staging) or 12-digit id")
  String account;

  @Option(names = {"-p", "--permission"}, paramLabel = "PERMISSION_SET", description = "the permission set, e.g. PowerUserAccess")
  String permission;

  @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "how long: 30m, 1h, 2h30m, 1d (or PT1H)")
  String duration;

  @Option(names = {"-j", "--justification"}, paramLabel = "TEXT", description = "why you need it")
  String justification;

  @Option(names = "--ticket", paramLabel = "ID", description = "a ticket id, e.g. INC-42")
  String ticket;

  @Option(names = "--for", paramLabel = "USER", description = "the person who receives the access (default: you)")
  String principal;

  @Option(names = "--preview", description = "only show what policy would do; file nothing")
  boolean previewOnly;

  @Option(names = {"-w", "--wait"}, description = "wait for the outcome; when granted, print the link into AWS")
  boolean await;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15m",
      description = "how long --wait waits (default ${DEFAULT-VALUE})")
  String timeout;

  @Option(names = "--aws-profile", paramLabel = "NAME",
      description = "once granted, write an aws CLI SSO profile NAME to ~/.aws/config (AWS_CONFIG_FILE); implies --wait")
  String awsProfile;

  @Override
  public Integer call() {
    Duration waitFor = Durations.parse(timeout, "timeout");
    Duration asked = duration == null ? null : Durations.parse(duration, "duration"); // bad input before anything else
    Api api = Api.signedIn(root.terminal);
    Catalog catalog = Catalog.of(api);
    String target = target(catalog);
    String perm = permission(catalog, target);
    Duration d = asked != null ? asked : duration(catalog, target, perm);
    String why = justification();

    ObjectNode body = Api.JSON.createObjectNode().put("system", "AWS").put("target", target).put("permission", perm)
        .put("duration", Durations.iso(d)).put("justification", why);
    if (ticket != null) {
      body.put("ticket", ticket);
    }
    if (principal != null) {
      body.put("principal", principal);
    }
    JsonNode forecast = api.post("/api/requests/preview", body);
    String access = perm + " in " + Words.account(target, catalog.names()) + " for " + Durations.human(d);
    ObjectNode result = Api.JSON.createObjectNode();
    result.set("preview", forecast);
    String outcome = Words.text(forecast, "outcome");
    boolean refused = "DENIED".equals(outcome) || "NOT_ALLOWED".equals(outcome);
    if (previewOnly) {
      root.print(result, access + "\nWhat policy will do: " + Words.forecast(forecast));
      return refused ? Exit.REFUSED.code() : Exit.DONE.code();
    }
    root.note(access + "\nWhat policy will do: " + Words.forecast(forecast));

    JsonNode filed = api.post("/api/requests", body);
    String id = Words.text(filed, "id");
    result.set("request", filed);
    String status = Words.text(filed, "status");
    root.note("Filed as request " + id + ": " + Words.status(status) + ".");
    if (Words.refused(status)) {
      throw refusal(filed, catalog, target);
    }
    if (!await && awsProfile == null) {
      root.print(result, id);
      return 0;
    }
    JsonNode r = Follow.until(root, api, id, Follow::decided, waitFor);
    result.set("request", r);
    status = Words.text(r, "status");
    if (!"ACTIVE".equals(status) && !"SCHEDULED".equals(status)) {
      throw refusal(r, catalog, target);
    }
    List<String> lines = new ArrayList<>();
    lines.add(Words.standing(r, root.terminal.clock().instant(), root.terminal.zone()) + ": " + access + ".");
    JsonNode links = links(api, id);
    if (links != null) {
      result.set("links", links);
      if ("ACTIVE".equals(status) && links.hasNonNull("openUrl")) {
        lines.add("Open in AWS: " + Words.text(links, "openUrl"));
      }
      if (awsProfile != null && links.hasNonNull("ssoStartUrl")) {
        AwsProfile.write(root.terminal.awsConfig(), AwsProfile.sections(awsProfile, r, links));
        result.put("awsProfile", awsProfile);
        lines.add("aws CLI profile '" + awsProfile + "' written to " + root.terminal.awsConfig()
            + "; then: aws sso login --profile " + awsProfile);
      }
    }
    if (awsProfile != null && !result.has("awsProfile")) {
      lines.add("No aws CLI profile written: Airlock knows no AWS access portal for this access.");
    }
    lines.add("End it early: airlock end " + id);
    root.print(result, String.join("\n", lines));
    return 0;
  }

  private String target(Catalog catalog) {
    if (account == null || account.isBlank()) {
      return Catalog.choose(root, "account", emptyOr(catalog, "Which account?"), catalog.accounts());
    }
    String id = catalog.accountId(account.trim());
    return id != null ? id : Catalog.choose(root, "account", "account: '" + account + "' is no account you may ask for."
        + (catalog.emptyBecause() == null ? "" : " " + catalog.emptyBecause() + " Meanwhile, give the 12-digit account id."),
        catalog.accounts());
  }

  private String permission(Catalog catalog, String target) {
    if (permission != null && !permission.isBlank()) {
      JsonNode known = catalog.permission(target, permission.trim());
      return known != null ? Words.text(known, "permission") : permission.trim(); // policy decides on the rest
    }
    return Catalog.choose(root, "permission", emptyOr(catalog, "Which permission in "
        + Words.account(target, catalog.names()) + "?"), catalog.permissions(target));
  }

  private Duration duration(Catalog catalog, String target, String perm) {
    JsonNode p = catalog.permission(target, perm);
    long max = p == null ? 0 : p.path("maxDurationMinutes").asLong();
    List<Catalog.Choice> choices = new ArrayList<>();
    for (long m : new long[] {15, 30, 60, 120, 240, 480}) {
      if (m <= max) {
        Duration c = Duration.ofMinutes(m);
        choices.add(new Catalog.Choice(m < 60 ? m + "m" : m / 60 + "h", Durations.human(c)));
      }
    }
    String chosen = Catalog.choose(root, "duration", "How long?" + (max > 0 ? " Up to "
        + Durations.human(Duration.ofMinutes(max)) + "." : ""), choices);
    return Durations.parse(chosen, "duration");
  }

  private String justification() {
    if (justification != null && !justification.isBlank()) {
      return justification;
    }
    if (root.terminal.interactive() && !root.json()) {
      String typed = root.terminal.readLine("Why do you need it? ");
      if (typed != null && !typed.isBlank()) {
        return typed.trim();
      }
    }
    throw new CliException(Exit.BAD_INPUT, "justification: say why you need the access (--justification)",
        Api.JSON.createObjectNode().put("field", "justification"));
  }

  private static String emptyOr(Catalog catalog, String question) {
    return catalog.emptyBecause() != null ? catalog.emptyBecause() : question;
  }

  /** The request ended without access: Airlock's reason, and what may be asked for in that account instead. */
  private static CliException refusal(JsonNode r, Catalog catalog, String target) {
    String status = Words.text(r, "status");
    StringBuilder text = new StringBuilder(Words.status(status));
    String reason = Words.text(r, "reason");
    String comment = Words.text(r, "reviewComment");
    if ("DENIED".equals(status) && !comment.isBlank()) {
      text.append(" by ").append(Words.text(r, "reviewer")).append(": ").append(comment);
    } else if (!reason.isBlank()) {
      text.append(": ").append(reason);
    }
    if ("REJECTED_OUT_OF_SCOPE".equals(status)) {
      List<Catalog.Choice> instead = catalog.permissions(target);
      text.append(instead.isEmpty() ? "\nYou may ask for nothing in " + Words.account(target, catalog.names())
          + "; airlock request without --account lists the accounts you may ask for."
          : "\nIn " + Words.account(target, catalog.names()) + " you may ask for:" + Catalog.Choice.lines(instead));
    }
    return new CliException(Exit.REFUSED, text.toString(), r);
  }

  static JsonNode links(Api api, String id) {
    for (JsonNode held : api.get("/api/access")) {
      if (id.equals(Words.text(held.path("request"), "id"))) {
        return held.path("links");
      }
    }
    return null;
  }
}
