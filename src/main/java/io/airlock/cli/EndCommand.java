package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code airlock end ID}: ends active access now ({@code POST /api/requests/{id}/revoke}), by default until AWS has removed it. */
@Command(name = "end", aliases = "revoke", description = "End your access now, before its time is up.")
class EndCommand implements Callable<Integer> {

  @ParentCommand Airlock root;

  @Parameters(paramLabel = "REQUEST", description = "the request's id (airlock ls)")
  String id;

  @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", description = "why (recorded)")
  String reason;

  @Option(names = "--no-wait", description = "do not wait until AWS has removed the access")
  boolean noWait;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", description = "how long to wait (default ${DEFAULT-VALUE})")
  String timeout;

  @Override
  public Integer call() {
    Duration waitFor = Durations.parse(timeout, "timeout");
    Api api = Api.signedIn(root.terminal);
    JsonNode r = api.post("/api/requests/" + id + "/revoke",
        Api.JSON.createObjectNode().put("reason", reason == null ? "Ended from the terminal" : reason));
    if (!noWait) {
      r = Follow.until(root, api, id, Words::finished, waitFor);
    }
    root.print(r, Words.status(Words.text(r, "status")) + ": " + Words.text(r, "permission") + " in "
        + Catalog.account(api, Words.text(r, "target")) + ".");
    return 0;
  }
}
