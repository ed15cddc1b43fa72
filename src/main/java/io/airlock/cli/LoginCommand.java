package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Console;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code airlock login}: Keycloak's device sign-in with the realm's {@code airlock-cli} client
 * ({@code --issuer}), or a user name and password for the embedded default's HTTP basic
 * ({@code --user}, the password from standard input or {@code AIRLOCK_PASSWORD}). Checked against
 * Airlock before anything is stored, then kept with mode 600.
 */
@Command(name = "login", description = {"Sign in to Airlock and keep the sign-in in ~/.config/airlock/ (mode 600).",
    "With --issuer: the device sign-in of Keycloak's realm (open the URL shown, check the code, sign in there).",
    "With --user: Airlock's own users (the embedded default); the password from --password-stdin, "
        + "AIRLOCK_PASSWORD, or asked for."})
class LoginCommand implements Callable<Integer> {

  @ParentCommand Airlock root;

  @Option(names = "--server", paramLabel = "URL",
      description = "Airlock's address (default: AIRLOCK_URL, else the one signed in to last, else http://127.0.0.1:8080)")
  String server;

  @Option(names = "--issuer", paramLabel = "URL",
      description = "Keycloak's realm for the device sign-in, e.g. https://sso.example.com/realms/airlock (default: AIRLOCK_ISSUER)")
  String issuer;

  @Option(names = "--client-id", defaultValue = "airlock-cli", description = "the realm's public client (default ${DEFAULT-VALUE})")
  String clientId;

  @Option(names = {"-u", "--user"}, paramLabel = "NAME", description = "sign in with Airlock's own user NAME (HTTP basic)")
  String user;

  @Option(names = "--password-stdin", description = "read the password from the first line of standard input")
  boolean passwordStdin;

  @Override
  public Integer call() {
    Terminal t = root.terminal;
    String base = server(t);
    String iss = issuer != null ? issuer : t.env().get("AIRLOCK_ISSUER");
    Credentials c;
    if (user != null) {
      c = Credentials.basic(base, user, password(t));
    } else if (iss != null && !iss.isBlank()) {
      c = DeviceLogin.signIn(base, iss, clientId, t, Api.client());
    } else {
      throw new CliException(Exit.BAD_INPUT, "Say how to sign in: --issuer URL (Keycloak's realm, device sign-in) "
          + "or --user NAME (Airlock's own users, the embedded default)");
    }
    Api api = new Api(c, t.configDir(), t.clock());
    JsonNode catalog;
    try {
      catalog = api.get("/api/catalog");
    } catch (CliException e) {
      if (e.exit() == Exit.NOT_SIGNED_IN) {
        throw new CliException(Exit.NOT_SIGNED_IN, "Airlock at " + base + " did not accept the sign-in; nothing was stored"
            + (user != null ? " (check the user name and password)" : ""), e.details());
      }
      throw e;
    }
    c.save(t.configDir());
    String who = Words.text(catalog, "user");
    root.print(Api.JSON.createObjectNode().put("server", base).put("user", who).put("kind", c.kind()),
        "Signed in to " + base + " as " + who + ".");
    return 0;
  }

  private String server(Terminal t) {
    String s = server;
    if (s == null) {
      s = t.env().get("AIRLOCK_URL");
    }
    if (s == null || s.isBlank()) {
      Credentials last = null;
      try {
        last = Credentials.load(t.configDir());
      } catch (CliException e) {
        // unreadable: a new sign-in replaces it
      }
      s = last != null ? last.server() : "http://127.0.0.1:8080";
    }
    if (!s.startsWith("http://") && !s.startsWith("https://")) {
      throw new CliException(Exit.BAD_INPUT, "server: '" + s + "' is not an http(s) address");
    }
    return s.replaceAll("/+$", "");
  }

  private String password(Terminal t) {
    if (passwordStdin) {
      String line = t.readLine(null);
      if (line == null || line.isEmpty()) {
        throw new CliException(Exit.BAD_INPUT, "password: standard input had no password line");
      }
      return line;
    }
    String env = t.env().get("AIRLOCK_PASSWORD");
    if (env != null && !env.isEmpty()) {
      return env;
    }
    Console console = System.console();
    if (t.interactive() && console != null) {
      char[] typed = console.readPassword("Password for %s: ", user);
      if (typed != null && typed.length > 0) {
        return new String(typed);
      }
    }
    throw new CliException(Exit.BAD_INPUT, "password: none given; use --password-stdin or AIRLOCK_PASSWORD");
  }
}
