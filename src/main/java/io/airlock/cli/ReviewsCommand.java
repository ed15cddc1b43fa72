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
import picocli.CommandLine.ParentCommand;

/**
 * {@code airlock reviews}: what waits for my review, oldest first, as the portal's "Waiting for
 * your review" lists it: who asks for what, where, how long, why, and what policy said.
 */
@Command(name = "reviews", description = {"List the requests waiting for your review, oldest first.",
    "Decide one with: airlock review REQUEST --approve | --deny --reason TEXT"})
class ReviewsCommand implements Callable<Integer> {

  @ParentCommand Airlock root;

  @Override
  public Integer call() {
    Api api = Api.signedIn(root.terminal);
    Map<String, String> names = Catalog.orEmpty(api).names();
    Instant now = root.terminal.clock().instant();
    ArrayNode out = Api.JSON.createArrayNode();
    StringBuilder text = new StringBuilder();
    JsonNode waiting = api.get("/api/requests/waiting");
    for (JsonNode r : waiting) {
      if (!names.containsKey(Words.text(r, "target"))) {
        // An approver's own catalog may not name the account: the inventory does, when theirs to read.
        try {
          for (JsonNode a : api.get("/api/inventory/accounts")) {
            names.put(Words.text(a, "accountId"), Words.text(a, "name"));
          }
        } catch (CliException e) {
          // not theirs to read: the id it is
        }
        break;
      }
    }
    for (JsonNode r : waiting) {
      ObjectNode row = ((ObjectNode) r.deepCopy());
      String account = Words.account(Words.text(r, "target"), names);
      String duration = Durations.human(Words.text(r, "duration"));
      Instant asked = Words.instant(r.path("createdAt"));
      long minutes = asked == null ? -1 : Duration.between(asked, now).toMinutes();
      String waited = minutes < 0 ? "" : minutes == 0 ? "less than a minute"
          : Durations.human(Duration.ofMinutes(minutes));
      row.put("accountName", names.get(Words.text(r, "target")));
      row.put("durationText", duration);
      row.put("waitingFor", waited);
      out.add(row);
      String who = Words.text(r, "requester").equals(Words.text(r, "principal")) ? Words.text(r, "requester")
          : Words.text(r, "requester") + " for " + Words.text(r, "principal");
      text.append(String.format(Locale.ROOT, "%s  %s · %s · %s · %s%n    Why: %s%n    Policy: %s%n",
          Words.text(r, "id"), who, Words.text(r, "permission"), account, duration,
          Words.text(r, "justification"), Words.text(r, "reason")));
      if (!waited.isEmpty()) {
        text.append("    Waiting ").append(waited).append('\n');
      }
    }
    root.print(out, out.isEmpty() ? "Nothing waits for your review." : text.toString().stripTrailing()
        + "\n\nDecide with: airlock review REQUEST --approve   or   --deny --reason TEXT");
    return 0;
  }
}
