package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the signed-in person may ask for ({@code GET /api/catalog}): accounts by name, and in each
 * the permissions with their longest duration and approvers, as the portal's new-request page
 * offers them. Used to name accounts, to offer choices when something is missing or unknown, and
 * to say what may be asked instead after a refusal.
 */
record Catalog(JsonNode json) {

  static Catalog of(Api api) {
    return new Catalog(api.get("/api/catalog"));
  }

  /** The catalog, or an empty one when it cannot be read (for names only). */
  static Catalog orEmpty(Api api) {
    try {
      return of(api);
    } catch (CliException e) {
      if (e.exit() == Exit.NOT_SIGNED_IN) {
        throw e;
      }
      return new Catalog(Api.JSON.createObjectNode());
    }
  }

  /**
   * "staging (333333333333)": the account named from the catalog, else (an approver's view of
   * accounts they do not ask for themselves) from Airlock's inventory where the caller may read it,
   * else the bare id.
   */
  static String account(Api api, String id) {
    Map<String, String> names = orEmpty(api).names();
    if (!names.containsKey(id)) {
      try {
        for (JsonNode a : api.get("/api/inventory/accounts")) {
          names.put(Words.text(a, "accountId"), Words.text(a, "name"));
        }
      } catch (CliException e) {
        // not theirs to read: the id it is
      }
    }
    return Words.account(id, names);
  }

  /** Account id → name. */
  Map<String, String> names() {
    Map<String, String> names = new LinkedHashMap<>();
    for (JsonNode t : json.path("targets")) {
      names.put(Words.text(t, "target"), Words.text(t, "name"));
    }
    return names;
  }

  JsonNode target(String id) {
    for (JsonNode t : json.path("targets")) {
      if (Words.text(t, "target").equals(id)) {
        return t;
      }
    }
    return null;
  }

  /** The account id for what a person typed: a 12-digit id as it is, else the catalog's account of that name. */
  String accountId(String typed) {
    if (typed.matches("\\d{12}")) {
      return typed;
    }
    for (JsonNode t : json.path("targets")) {
      if (Words.text(t, "name").equalsIgnoreCase(typed)) {
        return Words.text(t, "target");
      }
    }
    return null;
  }

  JsonNode permission(String accountId, String permission) {
    JsonNode t = target(accountId);
    if (t != null) {
      for (JsonNode p : t.path("permissions")) {
        if (Words.text(p, "permission").equalsIgnoreCase(permission)) {
          return p;
        }
      }
    }
    return null;
  }

  /** The accounts as choices: "staging (333333333333) · Workloads/NonProd". */
  List<Choice> accounts() {
    List<Choice> out = new ArrayList<>();
    for (JsonNode t : json.path("targets")) {
      String ou = Words.text(t, "ouPath");
      out.add(new Choice(Words.text(t, "target"),
          Words.account(Words.text(t, "target"), names()) + (ou.isBlank() ? "" : " · " + ou)));
    }
    return out;
  }

  /** An account's permissions as choices: "PowerUserAccess · up to 4 h · approved by airlock-approvers". */
  List<Choice> permissions(String accountId) {
    List<Choice> out = new ArrayList<>();
    JsonNode t = target(accountId);
    if (t != null) {
      for (JsonNode p : t.path("permissions")) {
        out.add(new Choice(Words.text(p, "permission"), describe(p)));
      }
    }
    return out;
  }

  static String describe(JsonNode p) {
    String groups = Words.join(p.path("approverGroups"));
    int approvals = p.path("approvalsRequired").asInt(1);
    return Words.text(p, "permission") + " · up to " + Durations.human(java.time.Duration.ofMinutes(p.path("maxDurationMinutes").asLong()))
        + (groups.isBlank() ? "" : approvals > 1 ? " · " + approvals + " approvals from " + groups : " · approved by " + groups);
  }

  /** Why the catalog is empty, in Airlock's words, or null. */
  String emptyBecause() {
    String why = Words.text(json, "emptyBecause");
    return why.isBlank() ? null : why;
  }

  /** One choice: what to type, and how it reads. */
  record Choice(String value, String label) {

    static ArrayNode json(List<Choice> choices) {
      ArrayNode a = Api.JSON.createArrayNode();
      choices.forEach(c -> a.addObject().put("value", c.value()).put("label", c.label()));
      return a;
    }

    static String lines(List<Choice> choices) {
      StringBuilder b = new StringBuilder();
      for (Choice c : choices) { // what to type first, unless the words already start with it
        b.append("\n  ").append(c.label().startsWith(c.value()) ? c.label()
            : String.format(Locale.ROOT, "%-14s", c.value()) + " " + c.label());
      }
      return b.toString();
    }
  }

  /**
   * The value for {@code field} from {@code choices}: asked at an interactive terminal (a number or
   * the value), else {@link Exit#BAD_INPUT} listing the choices (in {@code details.choices}).
   */
  static String choose(Airlock root, String field, String problem, List<Choice> choices) {
    ObjectNode details = Api.JSON.createObjectNode().put("field", field);
    details.set("choices", Choice.json(choices));
    if (choices.isEmpty()) {
      throw new CliException(Exit.BAD_INPUT, problem, details);
    }
    if (root.terminal.interactive() && !root.json()) {
      root.terminal.err().println(problem + " Choose one:");
      for (int i = 0; i < choices.size(); i++) {
        root.terminal.err().println(String.format(Locale.ROOT, "  %2d) %s", i + 1, choices.get(i).label()));
      }
      String answer = root.terminal.readLine(field + "> ");
      if (answer != null) {
        String a = answer.trim();
        if (a.matches("\\d{1,3}") && Integer.parseInt(a) >= 1 && Integer.parseInt(a) <= choices.size()) {
          return choices.get(Integer.parseInt(a) - 1).value();
        }
        for (Choice c : choices) {
          if (c.value().equalsIgnoreCase(a)) {
            return c.value();
          }
        }
      }
    }
    throw new CliException(Exit.BAD_INPUT, problem + " Choose one of:" + Choice.lines(choices), details);
  }
}
