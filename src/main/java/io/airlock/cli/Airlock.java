package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code airlock}: ask for AWS access, follow it, end it early, and review others' requests from a
 * terminal, through Airlock's REST API and the same domain gate as the portal and Tasklist. Built
 * into {@code target/airlock-cli.jar} (JDK, picocli and Jackson only: no other Airlock class).
 */
@Command(name = "airlock", mixinStandardHelpOptions = true, version = "airlock CLI 0.1.0",
    description = "Just-in-time AWS access from the terminal: ask, follow, extend, end and review requests.",
    subcommands = {LoginCommand.class, LogoutCommand.class, RequestCommand.class, ListCommand.class,
        ShowCommand.class, ExtendCommand.class, EndCommand.class, WithdrawCommand.class, ReviewsCommand.class, ReviewCommand.class,
        CompletionCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done (filed, granted, ended, withdrawn, reviewed)",
        "1:refused: denied, not allowed by policy, four eyes, or not possible in the request's state",
        "2:bad input: a wrong or missing option or duration, a field Airlock named, an unknown request",
        "3:not signed in, or the sign-in expired: run airlock login",
        "4:Airlock (or the identity provider) cannot be reached or cannot work right now",
        "5:timed out waiting for the outcome (--wait)",
        "10:an unexpected failure of the CLI"},
    footer = {"%nExamples:",
        "  airlock login --server https://airlock.example.com \\",
        "      --issuer https://sso.example.com/realms/airlock",
        "  airlock request -a staging -p PowerUserAccess -d 1h \\",
        "      -j 'Debug the payment queue' --wait --aws-profile staging-power",
        "  airlock ls",
        "  airlock end <id>"})
public class Airlock {

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "text|json", defaultValue = "text",
      description = "text for people (default), json for scripts")
  Format output;

  @Spec CommandSpec spec;

  final Terminal terminal;

  enum Format { text, json }

  Airlock(Terminal terminal) {
    this.terminal = terminal;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    Terminal t = new Terminal(System.getenv(), new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
        out, err, Clock.systemDefaultZone(), System.console() != null);
    System.exit(run(t, args));
  }

  /** Runs one command line at {@code terminal}; the exit code (README, "From the terminal"). */
  public static int run(Terminal terminal, String... args) {
    Airlock root = new Airlock(terminal);
    CommandLine cl = commandLine(root);
    cl.setOut(terminal.out());
    cl.setErr(terminal.err());
    cl.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("airlock: " + ex.getMessage());
      ex.getCommandLine().getErr().println("See: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help");
      return Exit.BAD_INPUT.code();
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parsed) -> root.fail(ex));
    int code = cl.execute(args);
    terminal.out().flush();
    terminal.err().flush();
    return code;
  }

  static CommandLine commandLine(Airlock root) {
    return new CommandLine(root).setCaseInsensitiveEnumValuesAllowed(true);
  }

  boolean json() {
    return output == Format.json;
  }

  /** Prints the outcome: {@code json} for {@code --output json}, else {@code text}. */
  void print(JsonNode json, String text) {
    if (json()) {
      terminal.out().println(json.toPrettyString());
    } else if (text != null && !text.isEmpty()) {
      terminal.out().println(text);
    }
    terminal.out().flush();
  }

  /** A line of progress for people (standard error, so that standard output stays the outcome). */
  void note(String text) {
    if (!json()) {
      terminal.err().println(text);
      terminal.err().flush();
    }
  }

  /** The failure in words (or as {@code {"error": …}}), never a stack trace; its exit code. */
  int fail(Exception e) {
    CliException c = e instanceof CliException ce ? ce
        : new CliException(Exit.UNEXPECTED, "The CLI failed unexpectedly: " + e);
    if (json()) {
      ObjectNode error = Api.JSON.createObjectNode();
      ObjectNode body = error.putObject("error");
      body.put("exit", c.exit().code());
      body.put("kind", c.exit().word());
      body.put("message", c.getMessage());
      if (c.details() != null) {
        body.set("details", c.details());
      }
      terminal.out().println(error.toPrettyString());
    } else {
      terminal.err().println("airlock: " + c.getMessage());
    }
    terminal.out().flush();
    terminal.err().flush();
    return c.exit().code();
  }
}
