package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code airlock withdraw ID}: withdraws a request still waiting for review. */
@Command(name = "withdraw", description = "Withdraw a request that is still waiting for review.")
class WithdrawCommand implements Callable<Integer> {

  @ParentCommand Airlock root;

  @Parameters(paramLabel = "REQUEST", description = "the request's id (airlock ls)")
  String id;

  @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", description = "why (recorded)")
  String reason;

  @Override
  public Integer call() {
    Api api = Api.signedIn(root.terminal);
    JsonNode r = api.post("/api/requests/" + id + "/withdraw",
        reason == null ? Api.JSON.createObjectNode() : Api.JSON.createObjectNode().put("reason", reason));
    root.print(r, Words.status(Words.text(r, "status")) + ": " + Words.text(r, "permission") + " in "
        + Catalog.account(api, Words.text(r, "target")) + ".");
    return 0;
  }
}
