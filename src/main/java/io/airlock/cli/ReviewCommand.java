package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code airlock review ID --approve|--deny --reason …}: an approver's decision, through the same
 * gate as Tasklist (four eyes, the scope's approvers, quorum); without a decision it shows the
 * request as the approver reviews it.
 */
@Command(name = "review", description = {"Approve or deny a request waiting for your review.",
    "Without --approve or --deny: show it as you would review it."})
class ReviewCommand implements Callable<Integer> {

  @ParentCommand Airlock root;

  @Parameters(paramLabel = "REQUEST", description = "the request's id")
  String id;

  @ArgGroup(exclusive = true)
  Decision decision;

  static class Decision {
    @Option(names = "--approve", required = true, description = "approve it") boolean approve;
    @Option(names = "--deny", required = true, description = "deny it (needs --reason, which the requester reads)") boolean deny;
  }

  @Option(names = {"-r", "--reason", "--comment"}, paramLabel = "TEXT", description = "your reason (required to deny)")
  String reason;

  @Override
  public Integer call() {
    Api api = Api.signedIn(root.terminal);
    if (decision == null) {
      JsonNode r = api.get("/api/requests/" + id);
      root.print(r, ShowCommand.describe(r, api, root.terminal)
          + "\n\nDecide with: airlock review " + id + " --approve   or   --deny --reason TEXT");
      return 0;
    }
    ObjectNode body = Api.JSON.createObjectNode().put("outcome", decision.approve ? "APPROVE" : "DENY");
    if (reason != null) {
      body.put("comment", reason);
    }
    JsonNode r = api.post("/api/requests/" + id + "/review", body);
    root.print(r, (decision.approve ? "Approved" : "Denied") + ": " + Words.text(r, "principal") + " · "
        + Words.text(r, "permission") + " · " + Catalog.account(api, Words.text(r, "target"))
        + ". Now: " + Words.status(Words.text(r, "status")) + ".");
    return 0;
  }
}
