package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code airlock extend ID --by 1h --justification …}: asks for more time on active access, within
 * what policy can allow ({@code GET …/extensions}); an approver decides as for any request, and the
 * access stays as it is until then.
 */
@Command(name = "extend", description = {"Ask for more time on access you hold.",
    "Without --by: what policy can allow now, each with its new end."})
class ExtendCommand implements Callable<Integer> {

  @ParentCommand Airlock root;

  @Parameters(paramLabel = "REQUEST", description = "the active request's id (airlock ls)")
  String id;

  @Option(names = "--by", paramLabel = "DURATION", description = "how much more: 15m, 30m, 1h …")
  String by;

  @Option(names = {"-j", "--justification"}, paramLabel = "TEXT", description = "why you need more time")
  String justification;

  @Option(names = {"-w", "--wait"}, description = "wait until the extension is decided")
  boolean await;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15m", description = "how long --wait waits (default ${DEFAULT-VALUE})")
  String timeout;

  @Override
  public Integer call() {
    Duration waitFor = Durations.parse(timeout, "timeout");
    Duration more = by == null ? null : Durations.parse(by, "by");
    Api api = Api.signedIn(root.terminal);
    if (more == null) {
      JsonNode options = api.get("/api/requests/" + id + "/extensions");
      List<Catalog.Choice> choices = new ArrayList<>();
      Instant now = root.terminal.clock().instant();
      for (JsonNode o : options.path("options")) {
        Duration d = Words.duration(o.path("by"));
        Instant end = Words.instant(o.path("newEnd"));
        choices.add(new Catalog.Choice(d == null ? Words.text(o, "by") : Durations.iso(d).substring(2).toLowerCase(java.util.Locale.ROOT),
            Words.text(o, "label") + (o.path("rest").asBoolean() ? ", the most policy allows" : "")
                + (end == null ? "" : " · until " + Words.time(end, now, root.terminal.zone()))));
      }
      if (choices.isEmpty()) {
        throw new CliException(Exit.REFUSED, "No more time can be added: " + Words.text(options, "reason"), options);
      }
      more = Durations.parse(Catalog.choose(root, "by", "How much more time?", choices), "by");
    }
    if (justification == null || justification.isBlank()) {
      justification = root.terminal.interactive() && !root.json() ? root.terminal.readLine("Why do you need more time? ") : null;
      if (justification == null || justification.isBlank()) {
        throw new CliException(Exit.BAD_INPUT, "justification: say why you need more time (--justification)");
      }
    }
    ObjectNode body = Api.JSON.createObjectNode().put("by", Durations.iso(more)).put("justification", justification);
    JsonNode r = api.post("/api/requests/" + id + "/extend", body);
    String newId = Words.text(r, "id");
    root.note("Asked for " + Durations.human(more) + " more as request " + newId + ": " + Words.status(Words.text(r, "status"))
        + (r.hasNonNull("reason") ? ". " + Words.text(r, "reason") : "") + ".");
    if (await) {
      r = Follow.until(root, api, newId, Follow::decided, waitFor);
      if (!"ACTIVE".equals(Words.text(r, "status"))) {
        throw new CliException(Exit.REFUSED, Words.status(Words.text(r, "status"))
            + (r.hasNonNull("reviewComment") ? ": " + Words.text(r, "reviewComment") : r.hasNonNull("reason") ? ": " + Words.text(r, "reason") : ""), r);
      }
    }
    root.print(r, await ? Words.standing(r, root.terminal.clock().instant(), root.terminal.zone()) : newId);
    return 0;
  }
}
