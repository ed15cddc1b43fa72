package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code airlock show ID}: one request in words: who, what, where, how long, why, where it stands. */
@Command(name = "show", description = "Show one request: who, what, where, how long, why, and where it stands.")
class ShowCommand implements Callable<Integer> {

  @ParentCommand Airlock root;

  @Parameters(paramLabel = "REQUEST", description = "the request's id (airlock ls)")
  String id;

  @Override
  public Integer call() {
    Api api = Api.signedIn(root.terminal);
    JsonNode r = api.get("/api/requests/" + id);
    root.print(r, describe(r, api, root.terminal));
    return 0;
  }

  /** The request as an approver or requester reads it. */
  static String describe(JsonNode r, Api api, Terminal t) {
    Instant now = t.clock().instant();
    List<String> lines = new ArrayList<>();
    lines.add(Words.text(r, "principal") + " · " + Words.text(r, "permission") + " · "
        + Catalog.account(api, Words.text(r, "target")) + " · " + Durations.human(Words.text(r, "duration")));
    lines.add("Status:        " + Words.standing(r, now, t.zone()));
    lines.add("Asked by:      " + Words.text(r, "requester"));
    lines.add("Why:           " + Words.text(r, "justification")
        + (r.hasNonNull("ticket") ? " (" + Words.text(r, "ticket") + ")" : ""));
    if (r.hasNonNull("scope")) {
      lines.add("Policy:        " + Words.text(r, "scope") + (r.hasNonNull("reason") ? ": " + Words.text(r, "reason") : ""));
    }
    if (r.hasNonNull("approverGroups")) {
      lines.add("Approvers:     " + Words.text(r, "approverGroups"));
    }
    if (r.hasNonNull("reviewer")) {
      lines.add("Reviewed by:   " + Words.text(r, "reviewer")
          + (r.hasNonNull("reviewComment") ? ": " + Words.text(r, "reviewComment") : ""));
    }
    Instant end = Words.instant(r.path("grantEnd"));
    if (end != null) {
      lines.add("Ends:          " + Words.time(end, now, t.zone()));
    }
    return String.join("\n", lines);
  }
}
