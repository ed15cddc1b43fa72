package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code airlock ls}: my requests, newest first, their status in words and the time left, as "My requests" lists them. */
@Command(name = "ls", aliases = "list", description = "List your requests, newest first: status in words, time left.")
class ListCommand implements Callable<Integer> {

  @ParentCommand Airlock root;

  @Option(names = {"-a", "--all"}, description = "also those that are over (ended, denied, withdrawn …)")
  boolean all;

  @Option(names = "--limit", defaultValue = "50", description = "at most this many (default ${DEFAULT-VALUE})")
  int limit;

  @Override
  public Integer call() {
    Api api = Api.signedIn(root.terminal);
    Map<String, String> names = Catalog.orEmpty(api).names();
    Instant now = root.terminal.clock().instant();
    ArrayNode out = Api.JSON.createArrayNode();
    StringBuilder text = new StringBuilder();
    for (JsonNode r : api.get("/api/requests?mine=true&limit=" + Math.max(1, limit))) {
      String status = Words.text(r, "status");
      if (!all && Words.finished(status)) {
        continue;
      }
      ObjectNode row = ((ObjectNode) r.deepCopy());
      row.put("statusText", Words.status(status));
      row.put("accountName", names.get(Words.text(r, "target")));
      row.put("durationText", Durations.human(Words.text(r, "duration")));
      Instant end = Words.instant(r.path("grantEnd"));
      if ("ACTIVE".equals(status) && end != null) {
        row.put("timeLeft", Durations.left(Duration.between(now, end)));
      }
      row.put("standing", Words.standing(r, now, root.terminal.zone()));
      out.add(row);
      text.append(String.format(Locale.ROOT, "%-36s  %-45s  %s%n", Words.text(r, "id"), Words.standing(r, now,
          root.terminal.zone()), Words.text(r, "permission") + " in " + Words.account(Words.text(r, "target"), names)
          + " · " + Durations.human(Words.text(r, "duration"))));
    }
    String empty = all ? "You have not asked for anything yet." : "Nothing open. airlock ls --all shows everything.";
    root.print(out, out.isEmpty() ? empty : String.format(Locale.ROOT, "%-36s  %-45s  %s%n", "REQUEST", "STATUS", "ACCESS")
        + text.toString().stripTrailing());
    return 0;
  }
}
