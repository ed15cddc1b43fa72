package io.airlock.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.request.RequestLabels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The start form "Request AWS access" ({@value #FORM_ID}) as one user sees it: Tasklist gives a
 * start form no variables, so the choices are written into the form itself, from the user's
 * {@link PolicyCatalog catalog}:
 * <ul>
 *   <li>{@code target}: the accounts where the user may request anything, "staging
 *       (333333333333)";
 *   <li>{@code permission}: a FEEL list of what the chosen account allows, each with its longest
 *       duration and approvers;
 *   <li>{@code duration}: sensible choices (15 min … 12 h, and each scope's maximum) up to the
 *       maximum of the chosen account and permission (or craft template): a longer one cannot be
 *       chosen, and one chosen before the permission changed is cleared at the field;
 *   <li>{@code principal}: defaults to the user's own Identity Center name;
 *   <li>{@code Text_DurationLimit}: a line under the duration naming the limit and who approves.
 * </ul>
 * Fields are found by key (or id), so a form an analyst rearranged in Camunda Modeler still gets
 * its choices. Nothing here is trusted: the submitted values are validated by the domain like any
 * request.
 */
public final class StartFormChoices {

  public static final String FORM_ID = "request-aws-access";

  /** What people ask for, in minutes: 15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 12 h, 1 d. */
  static final List<Long> SENSIBLE_MINUTES = List.of(15L, 30L, 60L, 120L, 240L, 480L, 720L, 1440L);

  private StartFormChoices() {}

  /** Writes the catalog's choices into the form (a copy); forms of other ids are returned as they are. */
  public static JsonNode personalize(JsonNode form, PolicyCatalog.Catalog catalog, Duration minDuration) {
    if (!FORM_ID.equals(form.path("id").asText())) {
      return form;
    }
    ObjectNode copy = form.deepCopy();
    List<Pair> pairs = new ArrayList<>();
    ArrayNode targets = copy.arrayNode();
    for (PolicyCatalog.Target t : catalog.targets()) {
      String label = t.name() == null || t.name().isBlank() ? t.target() : t.name() + " (" + t.target() + ")";
      targets.addObject().put("label", label).put("value", t.target());
      for (PolicyCatalog.Permission p : t.permissions()) {
        pairs.add(new Pair(t.target(), label, p));
      }
    }
    TreeSet<Long> minutes = new TreeSet<>();
    for (long m : SENSIBLE_MINUTES) {
      if (m >= minDuration.toMinutes()) {
        minutes.add(m);
      }
    }
    pairs.forEach(p -> minutes.add(p.permission().maxDurationMinutes()));

    for (ObjectNode field : fields(copy)) {
      String key = field.path("key").asText();
      String id = field.path("id").asText();
      if ("target".equals(key)) {
        field.remove(List.of("valuesKey", "valuesExpression"));
        field.set("values", targets);
        if (targets.isEmpty()) {
          field.put("description", "Nothing you may request yet: the policy offers you no account "
              + "(or Airlock has not scanned the organization yet)");
        }
      } else if ("permission".equals(key)) {
        field.remove(List.of("values", "valuesKey"));
        field.put("valuesExpression", permissions(pairs));
      } else if ("duration".equals(key)) {
        field.remove(List.of("values", "valuesKey", "defaultValue"));
        field.put("valuesExpression", durations(minutes, pairs));
      } else if ("principal".equals(key) && catalog.principal() != null) {
        field.put("defaultValue", catalog.principal());
      } else if ("Text_DurationLimit".equals(id)) {
        field.put("text", limitLine(pairs));
      }
    }
    return copy;
  }

  private record Pair(String target, String targetLabel, PolicyCatalog.Permission permission) {

    /** "approved by airlock-approvers", or "2 approvals from airlock-approvers". */
    String approvedBy() {
      String groups = String.join(", ", permission.approverGroups());
      return permission.approvalsRequired() > 1 ? permission.approvalsRequired() + " approvals from " + groups
          : "approved by " + groups;
    }

    String maxLabel() {
      return RequestLabels.human(Duration.ofMinutes(permission.maxDurationMinutes()));
    }
  }

  /** The permissions of the chosen target: {@code =[{a: "3333…", label: "…", value: "…"}, …][a = target]}. */
  private static String permissions(List<Pair> pairs) {
    String list = pairs.stream().filter(p -> !p.permission().permission().startsWith("craft:"))
        .map(p -> "{a: " + feel(p.target()) + ", label: " + feel(p.permission().permission() + " · up to "
            + p.maxLabel() + " · " + p.approvedBy()) + ", value: " + feel(p.permission().permission()) + "}")
        .collect(Collectors.joining(", "));
    return "=[" + list + "][a = target]";
  }

  /**
   * The duration choices up to the maximum of the chosen target and permission (or craft
   * template, whose catalog name is {@code craft:<TEMPLATE>}); none until both are chosen.
   */
  private static String durations(TreeSet<Long> minutes, List<Pair> pairs) {
    String choices = minutes.stream()
        .map(m -> "{label: " + feel(RequestLabels.human(Duration.ofMinutes(m))) + ", value: "
            + feel(Duration.ofMinutes(m).toString()) + ", m: " + m + "}")
        .collect(Collectors.joining(", "));
    return "=[" + choices + "][m <= " + chosen(pairs, "x") + "]";
  }

  /** The line under the duration: "PowerUserAccess on staging (333333333333): up to 4 h, approved by …". */
  private static String limitLine(List<Pair> pairs) {
    return "=if " + chosen(pairs, "line") + " = null then \"\" else " + chosen(pairs, "line");
  }

  /** A FEEL expression: the entry {@code field} of the pair the form's target and permission choose. */
  private static String chosen(List<Pair> pairs, String field) {
    String list = pairs.stream()
        .map(p -> "{a: " + feel(p.target()) + ", p: " + feel(p.permission().permission()) + ", x: "
            + p.permission().maxDurationMinutes() + ", line: " + feel(p.permission().permission() + " on "
            + p.targetLabel() + ": up to " + p.maxLabel() + ", " + p.approvedBy()) + "}")
        .collect(Collectors.joining(", "));
    String permission = "(if craftTemplate = null or craftTemplate = \"NONE\" then permission "
        + "else \"craft:\" + craftTemplate)";
    return "(([" + list + "][a = target and p = " + permission + "])." + field + "[1])";
  }

  /** A FEEL string literal. */
  static String feel(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (Character.isISOControl(c)) {
        b.append(' ');
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static List<ObjectNode> fields(JsonNode node) {
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode c : node.path("components")) {
      if (c instanceof ObjectNode o) {
        out.add(o);
        out.addAll(fields(o));
      }
    }
    return out;
  }
}
