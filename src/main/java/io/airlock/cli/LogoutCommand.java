package io.airlock.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code airlock logout}: forgets the stored sign-in. */
@Command(name = "logout", description = "Forget the stored sign-in (~/.config/airlock/credentials.json).")
class LogoutCommand implements Callable<Integer> {

  @ParentCommand Airlock root;

  @Override
  public Integer call() {
    boolean was = Credentials.delete(root.terminal.configDir());
    root.print(Api.JSON.createObjectNode().put("signedOut", was), was ? "Signed out." : "You were not signed in.");
    return 0;
  }
}
