package io.airlock.proposal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.inventory.Inventory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A first policy for an organization Airlock has just scanned (issue 25): the two decision
 * tables of {@code dmn/} rewritten from what the scan found, so that an organization that is not
 * the demo's gets a catalog and sensible outcomes before anyone has edited a table.
 *
 * <ul>
 *   <li><b>Where.</b> Accounts look like production by an OU named like production ("Prod",
 *       "Production", "PRD", "Live") or an environment tag ({@code environment}, {@code env},
 *       {@code stage}, {@code tier}) valued like it; outside production by an OU or tag named
 *       like development, test, staging, sandbox, QA or UAT. Production wins when both say
 *       something. Accounts that say neither are <i>not placed</i>: only read-only may be asked
 *       there. The tables match OUs and tags, never account ids, so an account added later under
 *       the same OU or with the same tag is placed the same way.
 *   <li><b>What.</b> Permission sets with the AWS managed policy AdministratorAccess, an inline
 *       statement allowing every action, or "admin" in their name are <i>administrator-like</i>
 *       (two approvals); those whose only policies are AWS's read-only ones are <i>read-only</i>
 *       (auto-approved outside production for up to an hour); the others need one approval.
 *       Sets Airlock crafted for a request are left out; the craft templates keep their rows.
 * </ul>
 *
 * <p>The tables are ordinary DMN with hit policy FIRST: what counts as production and which sets
 * are which is written once, in the input expressions at the top of each table, for an analyst
 * to edit in Camunda Modeler.
 */
public record StarterPolicy(List<ProposedFile> files, List<String> summary, Placement placement,
    Map<String, List<String>> permissionSets) {

  /** The classes of permission sets, as the tables name them. */
  public static final String ADMINISTRATOR = "administrator";
  public static final String READ_ONLY = "read-only";
  public static final String OTHER = "other";

  /** What made accounts production or not: OU paths and tag values, per tag key. */
  public record Placement(Set<String> productionOus, Map<String, Set<String>> productionTags,
      Set<String> nonProductionOus, Map<String, Set<String>> nonProductionTags, List<String> production,
      List<String> nonProduction, List<String> notPlaced) {}

  private static final Set<String> ENVIRONMENT_TAG_KEYS = Set.of("environment", "env", "stage", "tier");
  private static final Pattern PRODUCTION = Pattern.compile("(?i)prod|production|prd|live");
  private static final Pattern NON_PRODUCTION = Pattern.compile(
      "(?i)non-?prod(uction)?|dev|development|test|testing|qa|staging|stage|sandbox|uat|demo");
  private static final Pattern ADMIN_NAME = Pattern.compile("(?i).*admin.*");
  private static final Set<String> READ_ONLY_POLICIES = Set.of("ReadOnlyAccess", "job-function/ViewOnlyAccess",
      "ViewOnlyAccess", "SecurityAudit", "AWSBillingReadOnlyAccess", "job-function/SupportUser");
  /** The craft templates (request/CraftTemplates) that only read, and the one that may write. */
  static final List<String> CRAFTED_READ_ONLY = List.of("craft:S3_READ_ONLY", "craft:SERVICES_READ_ONLY");
  static final String CRAFTED_CUSTOM = "craft:CUSTOM";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Builds the starter policy from the inventory's accounts and permission sets. */
  public static StarterPolicy from(List<Inventory.Account> accounts, List<Inventory.PermissionSet> sets) {
    Placement placement = place(accounts);
    Map<String, List<String>> classes = new LinkedHashMap<>();
    classes.put(ADMINISTRATOR, new ArrayList<>());
    classes.put(READ_ONLY, new ArrayList<>());
    classes.put(OTHER, new ArrayList<>());
    sets.stream().filter(s -> !s.crafted()).sorted(java.util.Comparator.comparing(Inventory.PermissionSet::name))
        .forEach(s -> classes.get(classify(s)).add(s.name()));
    String environment = environmentExpression(placement);
    String permissionClass = permissionClassExpression(classes);
    List<ProposedFile> files = List.of(
        new ProposedFile("access-scopes.dmn", scopes(environment, permissionClass).getBytes(StandardCharsets.UTF_8)),
        new ProposedFile("auto-approval.dmn",
            autoApproval(environment, permissionClass).getBytes(StandardCharsets.UTF_8)));
    return new StarterPolicy(files, summary(placement, classes), placement, classes);
  }

  // --- where ---------------------------------------------------------------------------------

  static Placement place(List<Inventory.Account> accounts) {
    Set<String> prodOus = new TreeSet<>();
    Set<String> nonProdOus = new TreeSet<>();
    Map<String, Set<String>> prodTags = new TreeMap<>();
    Map<String, Set<String>> nonProdTags = new TreeMap<>();
    List<String> production = new ArrayList<>();
    List<String> nonProduction = new ArrayList<>();
    List<String> notPlaced = new ArrayList<>();
    for (Inventory.Account a : accounts) {
      String prodOu = ouMatching(a.ouPath(), PRODUCTION);
      String nonProdOu = ouMatching(a.ouPath(), NON_PRODUCTION);
      Map.Entry<String, String> prodTag = tagMatching(a.tags(), PRODUCTION);
      Map.Entry<String, String> nonProdTag = tagMatching(a.tags(), NON_PRODUCTION);
      String name = a.name() + " (" + a.accountId() + ")";
      if (prodOu != null || prodTag != null) {
        if (prodOu != null) {
          prodOus.add(prodOu);
        }
        if (prodTag != null) {
          prodTags.computeIfAbsent(prodTag.getKey(), k -> new TreeSet<>()).add(prodTag.getValue());
        }
        production.add(name);
      } else if (nonProdOu != null || nonProdTag != null) {
        if (nonProdOu != null) {
          nonProdOus.add(nonProdOu);
        }
        if (nonProdTag != null) {
          nonProdTags.computeIfAbsent(nonProdTag.getKey(), k -> new TreeSet<>()).add(nonProdTag.getValue());
        }
        nonProduction.add(name);
      } else {
        notPlaced.add(name);
      }
    }
    return new Placement(prodOus, prodTags, nonProdOus, nonProdTags, production, nonProduction, notPlaced);
  }

  /** The OU path down to the first OU whose name matches ("Workloads/Prod" of "Workloads/Prod/Payments"). */
  private static String ouMatching(String ouPath, Pattern pattern) {
    if (ouPath == null || ouPath.isEmpty()) {
      return null;
    }
    String[] names = ouPath.split("/");
    for (int i = 0; i < names.length; i++) {
      if (pattern.matcher(names[i].trim()).matches()) {
        return String.join("/", java.util.Arrays.copyOf(names, i + 1));
      }
    }
    return null;
  }

  private static Map.Entry<String, String> tagMatching(Map<String, String> tags, Pattern pattern) {
    return tags.entrySet().stream()
        .filter(t -> ENVIRONMENT_TAG_KEYS.contains(t.getKey().toLowerCase(Locale.ROOT)))
        .filter(t -> pattern.matcher(t.getValue().trim()).matches()).findFirst().orElse(null);
  }

  // --- what ----------------------------------------------------------------------------------

  static String classify(Inventory.PermissionSet set) {
    List<String> managed = set.managedPolicies() == null ? List.of() : set.managedPolicies();
    if (managed.stream().anyMatch(arn -> arn.endsWith(":policy/AdministratorAccess"))
        || allowsEverything(set.inlinePolicy()) || ADMIN_NAME.matcher(set.name()).matches()) {
      return ADMINISTRATOR;
    }
    boolean noInline = set.inlinePolicy() == null || set.inlinePolicy().isBlank();
    if (noInline && !managed.isEmpty() && managed.stream().allMatch(arn -> arn.startsWith("arn:aws:iam::aws:policy/")
        && READ_ONLY_POLICIES.contains(arn.substring("arn:aws:iam::aws:policy/".length())))) {
      return READ_ONLY;
    }
    return OTHER;
  }

  /** An inline policy with an Allow statement for every action ("*" or "*:*"). */
  static boolean allowsEverything(String inlinePolicy) {
    if (inlinePolicy == null || inlinePolicy.isBlank()) {
      return false;
    }
    try {
      JsonNode statements = JSON.readTree(inlinePolicy).path("Statement");
      for (JsonNode s : elements(statements)) {
        if (!"Allow".equals(s.path("Effect").asText())) {
          continue;
        }
        JsonNode action = s.path("Action");
        for (JsonNode a : elements(action)) {
          if ("*".equals(a.asText()) || "*:*".equals(a.asText())) {
            return true;
          }
        }
      }
      return false;
    } catch (java.io.IOException e) {
      return true; // unreadable: treat it as the most powerful, so it needs two approvals
    }
  }

  private static List<JsonNode> elements(JsonNode node) {
    List<JsonNode> list = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(list::add);
    } else {
      list.add(node);
    }
    return list;
  }

  // --- the tables ----------------------------------------------------------------------------

  static String environmentExpression(Placement p) {
    return "if " + placedBy(p.productionOus(), p.productionTags()) + " then \"production\" else if "
        + placedBy(p.nonProductionOus(), p.nonProductionTags()) + " then \"non-production\" else \"not placed\"";
  }

  private static String placedBy(Set<String> ous, Map<String, Set<String>> tags) {
    List<String> tests = new ArrayList<>();
    for (String ou : ous) {
      tests.add("list contains(targetOus, " + feel(ou) + ")");
    }
    tags.forEach((key, values) -> tests.add("list contains(" + feelList(values) + ", get value(targetTags, "
        + feel(key) + "))"));
    return tests.isEmpty() ? "false" : String.join(" or ", tests);
  }

  static String permissionClassExpression(Map<String, List<String>> classes) {
    List<String> readOnly = new ArrayList<>(classes.get(READ_ONLY));
    readOnly.addAll(CRAFTED_READ_ONLY);
    return "if list contains(" + feelList(classes.get(ADMINISTRATOR)) + ", permission) then \"" + ADMINISTRATOR
        + "\" else if list contains(" + feelList(readOnly) + ", permission) then \"" + READ_ONLY + "\" else \""
        + OTHER + "\"";
  }

  private static String scopes(String environment, String permissionClass) {
    Table t = new Table("access-scopes", "Access scopes", "AccessScopes", "Starter access scopes built by Airlock "
        + "from the first scan of the organization (README, \"Policy\": starter policy). Who may ask for what, "
        + "where, for how long, and how many approvers must agree. Production and the permission sets' classes "
        + "are decided by the two input expressions at the top: edit those lists when an OU, a tag or a "
        + "permission set is placed wrongly. No matching row: the request is out of scope.");
    t.input("System", "system", "string");
    t.input("Environment (production, non-production or not placed)", environment, "string");
    t.input("Permission set class (administrator, read-only or other)", permissionClass, "string");
    t.input("Permission", "permission", "string");
    t.input("Permission kind (EXISTING or CRAFTED)", "permissionKind", "string");
    t.input("Requester's groups", "requesterGroups", null);
    t.output("Scope", "scopeName", "string");
    t.output("Approver groups", "approverGroups", "string");
    t.output("Escalation group", "escalationGroup", "string");
    t.output("Maximum duration (minutes)", "maxDurationMinutes", "long");
    t.output("Approvals required (quorum)", "approvalsRequired", "integer");
    t.output("Break-glass allowed", "breakGlassAllowed", "boolean");
    t.output("May request for others", "mayRequestForOthers", "boolean");
    String requesters = "list contains(?, groups.requesters)";
    t.rule("ReadOnlyAnywhere", "Read-only anywhere, also in accounts not placed, for up to 8 hours; also for "
            + "another person.", List.of("\"AWS\"", "-", "\"" + READ_ONLY + "\"", "-", "-", requesters),
        List.of("\"Read-only anywhere\"", "groups.approvers", "groups.security", "480", "1", "false", "true"));
    t.rule("ProductionAdministrator", "Administrator-like access to production: one hour, two approvers.",
        List.of("\"AWS\"", "\"production\"", "\"" + ADMINISTRATOR + "\"", "-", "\"EXISTING\"", requesters),
        List.of("\"Production administrator\"", "groups.approvers", "groups.security", "60", "2", "false",
            "false"));
    t.rule("AdministratorOutsideProduction", "Administrator-like access outside production: two hours, two "
            + "approvers.",
        List.of("\"AWS\"", "\"non-production\"", "\"" + ADMINISTRATOR + "\"", "-", "\"EXISTING\"", requesters),
        List.of("\"Administrator outside production\"", "groups.approvers", "groups.security", "120", "2",
            "false", "false"));
    t.rule("Production", "Other permission sets in production: one hour, one approver.",
        List.of("\"AWS\"", "\"production\"", "\"" + OTHER + "\"", "-", "\"EXISTING\"", requesters),
        List.of("\"Production\"", "groups.approvers", "groups.security", "60", "1", "false", "false"));
    t.rule("OutsideProduction", "Other permission sets outside production: four hours, one approver.",
        List.of("\"AWS\"", "\"non-production\"", "\"" + OTHER + "\"", "-", "\"EXISTING\"", requesters),
        List.of("\"Outside production\"", "groups.approvers", "groups.security", "240", "1", "false", "false"));
    t.rule("CraftedCustomOutsideProduction", "A crafted custom policy outside production: two hours, one "
            + "approver.",
        List.of("\"AWS\"", "\"non-production\"", "-", feel(CRAFTED_CUSTOM), "\"CRAFTED\"", requesters),
        List.of("\"Crafted custom policy outside production\"", "groups.approvers", "groups.security", "120", "1",
            "false", "false"));
    return t.xml();
  }

  private static String autoApproval(String environment, String permissionClass) {
    Table t = new Table("auto-approval", "Auto-approval", "AutoApproval", "Starter auto-approval built by Airlock "
        + "from the first scan of the organization (README, \"Policy\": starter policy). Denials first, then what "
        + "needs a person, then the automatic approvals, then a catch-all to review, so nothing slips past a "
        + "denial. Production needs a review, administrator-like sets need a review (by two approvers, as the "
        + "scope says), read-only outside production is approved at once for up to an hour.");
    t.input("Environment (production, non-production or not placed)", environment, "string");
    t.input("Permission set class (administrator, read-only or other)", permissionClass, "string");
    t.input("Principal is the requester", "principalIsRequester", "boolean");
    t.input("Requested duration (seconds, exact)", "durationSeconds", "long");
    t.input("Scope's maximum (seconds)", "maxDurationSeconds", "long");
    t.output("Outcome", "approvalOutcome", "string");
    t.output("Reason (shown to requester and approver)", "approvalReason", "string");
    t.rule("DurationExceedsScope", "Longer than the scope allows: denied, with what was asked and allowed.",
        List.of("-", "-", "-", "> maxDurationSeconds", "-"), List.of("\"DENY\"", "\"Denied: \" + durationText + "
            + "\" asked, scope '\" + scopeName + \"' allows \" + maxDurationText + \".\""));
    t.rule("ForSomeoneElse", "Access for another person always needs a review.",
        List.of("-", "-", "false", "-", "-"), List.of("\"MANUAL\"", "\"Access for someone else (\" + principal + "
            + "\") needs an approver's review.\""));
    t.rule("Production", "Production needs a review.", List.of("\"production\"", "-", "-", "-", "-"),
        List.of("\"MANUAL\"", "\"Production access needs an approver's review.\""));
    t.rule("Administrator", "Administrator-like permission sets need a review everywhere.",
        List.of("-", "\"" + ADMINISTRATOR + "\"", "-", "-", "-"),
        List.of("\"MANUAL\"", "\"Administrator-like access needs an approver's review.\""));
    t.rule("ShortReadOnlyOutsideProduction", "Read-only outside production for at most an hour: approved at once.",
        List.of("\"non-production\"", "\"" + READ_ONLY + "\"", "-", "<= 3600", "-"), List.of("\"APPROVE\"",
            "\"Approved automatically: read-only access outside production for at most 1 h (\" + durationText + "
                + "\" asked).\""));
    t.rule("Review", "Anything else needs a review.", List.of("-", "-", "-", "-", "-"),
        List.of("\"MANUAL\"", "\"Needs an approver's review (scope '\" + scopeName + \"').\""));
    return t.xml();
  }

  // --- words ---------------------------------------------------------------------------------

  private static List<String> summary(Placement p, Map<String, List<String>> classes) {
    List<String> lines = new ArrayList<>();
    lines.add(count(p.production().size(), "account looks", "accounts look") + " like production"
        + by(p.productionOus(), p.productionTags()) + " (a review always; administrator-like sets need two "
        + "approvers)" + names(p.production()));
    lines.add(count(p.nonProduction().size(), "account is", "accounts are") + " outside production"
        + by(p.nonProductionOus(), p.nonProductionTags()) + names(p.nonProduction()));
    lines.add(count(p.notPlaced().size(), "account is", "accounts are") + " not placed (neither an OU nor an "
        + "environment tag says; only read-only may be asked there)" + names(p.notPlaced()));
    lines.add(sets(classes.get(ADMINISTRATOR), "administrator-like (two approvers everywhere)"));
    lines.add(sets(classes.get(READ_ONLY), "read-only (approved at once outside production for up to 1 h; 8 h "
        + "at most)"));
    lines.add(sets(classes.get(OTHER), "other (one approver; 4 h outside production, 1 h in production)"));
    return lines;
  }

  private static String by(Set<String> ous, Map<String, Set<String>> tags) {
    List<String> why = new ArrayList<>();
    ous.forEach(ou -> why.add("OU " + ou));
    tags.forEach((k, v) -> v.forEach(value -> why.add("tag " + k + "=" + value)));
    return why.isEmpty() ? "" : ", by " + String.join(", ", why);
  }

  private static String names(List<String> names) {
    if (names.isEmpty()) {
      return ".";
    }
    int shown = Math.min(5, names.size());
    return ": " + String.join(", ", names.subList(0, shown)) + (names.size() > shown ? " and " + (names.size()
        - shown) + " more" : "") + ".";
  }

  private static String sets(List<String> names, String what) {
    return count(names.size(), "permission set is", "permission sets are") + " " + what + names(names);
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static String feel(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String feelList(java.util.Collection<String> values) {
    return values.stream().map(StarterPolicy::feel).collect(Collectors.joining(", ", "[", "]"));
  }

  /** A FIRST decision table written as DMN 1.3, as Camunda Modeler writes one. */
  private static final class Table {
    private final String id;
    private final String name;
    private final String idPart;
    private final String description;
    private final List<String[]> inputs = new ArrayList<>();
    private final List<String[]> outputs = new ArrayList<>();
    private final Map<String, String[]> rules = new LinkedHashMap<>();
    private final Set<String> ids = new LinkedHashSet<>();

    Table(String id, String name, String idPart, String description) {
      this.id = id;
      this.name = name;
      this.idPart = idPart;
      this.description = description;
    }

    void input(String label, String expression, String typeRef) {
      inputs.add(new String[] {label, expression, typeRef});
    }

    void output(String label, String variable, String typeRef) {
      outputs.add(new String[] {label, variable, typeRef});
    }

    void rule(String ruleId, String ruleDescription, List<String> in, List<String> out) {
      if (in.size() != inputs.size() || out.size() != outputs.size() || !ids.add(ruleId)) {
        throw new IllegalStateException("rule " + ruleId + " does not fit table " + id);
      }
      List<String> cells = new ArrayList<>(List.of(ruleDescription));
      cells.addAll(in);
      cells.addAll(out);
      rules.put(ruleId, cells.toArray(String[]::new));
    }

    String xml() {
      StringBuilder x = new StringBuilder();
      x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
          .append("<definitions xmlns=\"https://www.omg.org/spec/DMN/20191111/MODEL/\"\n")
          .append("             xmlns:camunda=\"http://camunda.org/schema/1.0/dmn\"\n")
          .append("             id=\"Definitions_").append(idPart).append("\" name=\"").append(esc(name))
          .append("\" namespace=\"https://airlock.io/dmn\">\n")
          .append("  <decision id=\"").append(id).append("\" name=\"").append(esc(name))
          .append("\" camunda:historyTimeToLive=\"P180D\">\n")
          .append("    <description>").append(esc(description)).append("</description>\n")
          .append("    <decisionTable id=\"DecisionTable_").append(idPart).append("\" hitPolicy=\"FIRST\">\n");
      for (int i = 0; i < inputs.size(); i++) {
        String[] in = inputs.get(i);
        x.append("      <input id=\"Input_").append(i + 1).append("\" label=\"").append(esc(in[0])).append("\">\n")
            .append("        <inputExpression id=\"InputExpression_").append(i + 1).append('"')
            .append(in[2] == null ? "" : " typeRef=\"" + in[2] + "\"").append(">\n")
            .append("          <text>").append(esc(in[1])).append("</text>\n")
            .append("        </inputExpression>\n      </input>\n");
      }
      for (int i = 0; i < outputs.size(); i++) {
        String[] out = outputs.get(i);
        x.append("      <output id=\"Output_").append(i + 1).append("\" label=\"").append(esc(out[0]))
            .append("\" name=\"").append(out[1]).append("\" typeRef=\"").append(out[2]).append("\" />\n");
      }
      rules.forEach((ruleId, cells) -> {
        x.append("      <rule id=\"Rule_").append(ruleId).append("\">\n")
            .append("        <description>").append(esc(cells[0])).append("</description>\n");
        for (int i = 0; i < inputs.size(); i++) {
          x.append("        <inputEntry id=\"UnaryTests_").append(ruleId).append('_').append(i + 1)
              .append("\">\n          <text>").append(esc(cells[1 + i])).append("</text>\n        </inputEntry>\n");
        }
        for (int i = 0; i < outputs.size(); i++) {
          x.append("        <outputEntry id=\"LiteralExpression_").append(ruleId).append('_').append(i + 1)
              .append("\">\n          <text>").append(esc(cells[1 + inputs.size() + i]))
              .append("</text>\n        </outputEntry>\n");
        }
        x.append("      </rule>\n");
      });
      x.append("    </decisionTable>\n  </decision>\n</definitions>\n");
      return x.toString();
    }

    private static String esc(String s) {
      return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
  }
}
