package io.airlock.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code airlock completion bash}: the completion script (bash, and zsh through bashcompinit). */
@Command(name = "completion", description = {"Print the shell completion script.",
    "bash: source <(airlock completion bash)    zsh: autoload -U bashcompinit && bashcompinit && source <(airlock completion bash)"})
class CompletionCommand implements Callable<Integer> {

  @ParentCommand Airlock root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", defaultValue = "bash", paramLabel = "bash|zsh", description = "the shell (default bash)")
  String shell;

  @Override
  public Integer call() {
    if (!"bash".equals(shell) && !"zsh".equals(shell)) {
      throw new CliException(Exit.BAD_INPUT, "shell: '" + shell + "' is not one the completion is for; say bash or zsh");
    }
    root.terminal.out().print(AutoComplete.bash("airlock", spec.root().commandLine()));
    root.terminal.out().flush();
    return 0;
  }
}
