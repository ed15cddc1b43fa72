package io.airlock.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * What a deployment of models may contain, whoever deploys it (Airlock at start, a policy author
 * from Camunda Modeler through the engine REST API): the rules that keep a model from running
 * code of its author's choosing inside Airlock. A model is data for the engine; these rules keep
 * it data.
 * <ul>
 *   <li>Only BPMN, DMN and Camunda Forms ({@code .bpmn}, {@code .dmn}, {@code .form}); no embedded
 *       HTML forms or scripts, which would run in an approver's browser or in the engine.
 *   <li>BPMN: the processes Airlock guards ({@value AccessRequestModel#PROCESS_KEY},
 *       {@value InventoryScanModel#PROCESS_KEY}, {@value PolicyProposalModel#PROCESS_KEY}, whose
 *       starts {@link ProcessGuard} watches), each with its start event; no scripts (script tasks, {@code camunda:script},
 *       a {@code language} on a condition), no Java classes ({@code camunda:class}), no connectors,
 *       no field injection into the beans ({@code camunda:field}),
 *       no embedded forms ({@code camunda:formKey}); a delegate expression names one of the
 *       process's own beans ({@link ExpressionBeans#ALLOWED}); every other {@code ${...}} is
 *       variables, literals and operators, {@code execution.getVariable('...')} and calls on the
 *       process's own beans: no other method calls, functions or {@code [..]} (an expression
 *       language that calls any method reaches {@code getClass()} and from there everything);
 *       a form bound to the deployment ({@code camunda:formRefBinding="deployment"}) is in it.
 *   <li>DMN: FEEL only ({@code expressionLanguage} JUEL, JavaScript, Groovy, ... refused).
 *   <li>Forms: parse as JSON, have an id, use only plain input and text components (no
 *       {@code html}, {@code iframe}, {@code script}).
 * </ul>
 * A decision table that approves everything passes these rules: it is a proposal like any other
 * ({@code PolicyProposals}), in force only once a second person approved it after reading what it
 * would change.
 */
public final class ModelRules {

  private ModelRules() {}

  static final String BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL";
  static final String CAMUNDA_BPMN_NS = "http://camunda.org/schema/1.0/bpmn";

  /** Form components that only show text or take input. */
  static final Set<String> FORM_COMPONENTS = Set.of("default", "text", "textfield", "textarea", "number",
      "select", "radio", "checkbox", "checklist", "taglist", "datetime", "group", "separator", "spacer");

  private static final Set<String> FEEL = Set.of("feel", "http://www.omg.org/spec/feel/20140401",
      "https://www.omg.org/spec/dmn/20191111/feel/", "http://www.omg.org/spec/dmn/20180521/feel/",
      "https://www.omg.org/spec/dmn/20230324/feel/");

  private static final Pattern EXPRESSION = Pattern.compile("[$#]\\{(.*?)}", Pattern.DOTALL);
  private static final Pattern DELEGATE = Pattern.compile("\\$\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One resource of a deployment: its name ("bpmn/access-request.bpmn") and bytes. */
  public record Resource(String name, byte[] bytes) {}

  /** Every rule the resources, deployed together, break, as "file: element: problem"; empty if none. */
  public static List<String> check(List<Resource> resources) {
    List<String> problems = new ArrayList<>();
    Set<String> formIds = new LinkedHashSet<>();
    List<Resource> bpmn = new ArrayList<>();
    for (Resource r : resources) {
      String name = r.name().toLowerCase(Locale.ROOT);
      if (name.endsWith(".bpmn") || name.endsWith(".bpmn20.xml")) {
        bpmn.add(r);
      } else if (name.endsWith(".dmn") || name.endsWith(".dmn11.xml")) {
        checkDmn(r, problems);
      } else if (name.endsWith(".form")) {
        String id = checkForm(r, problems);
        if (id != null) {
          formIds.add(id);
        }
      } else {
        problems.add(r.name() + ": only BPMN (.bpmn), DMN (.dmn) and Camunda Forms (.form) are deployed; "
            + "embedded HTML forms and scripts are not");
      }
    }
    for (Resource r : bpmn) {
      checkBpmn(r, formIds, problems);
    }
    return problems;
  }

  // ------------------------------------------------------------------------------------ BPMN

  private static void checkBpmn(Resource r, Set<String> formIds, List<String> problems) {
    Document doc = parse(r, problems);
    if (doc == null) {
      return;
    }
    // The processes whose guards (ProcessGuard) Airlock installs, each with the only start event
    // it may start at: another key would run without them.
    java.util.Map<String, String> guarded = java.util.Map.of(
        AccessRequestModel.PROCESS_KEY, AccessRequestModel.Elements.START_ACCESS_REQUESTED,
        InventoryScanModel.PROCESS_KEY, InventoryScanModel.Elements.START_SCHEDULED,
        PolicyProposalModel.PROCESS_KEY, PolicyProposalModel.Elements.START_POLICY_PROPOSED,
        GroupMembershipModel.PROCESS_KEY, GroupMembershipModel.Elements.START_CHANGE_REQUESTED);
    for (Element process : elements(doc, BPMN_NS, "process")) {
      String key = process.getAttribute("id");
      String start = guarded.get(key);
      if (start == null) {
        problems.add(r.name() + ": process '" + key + "': Airlock runs the processes " + new java.util.TreeSet<>(
            guarded.keySet()) + " (its guards apply to those keys only); another process key is refused");
      } else if (children(process, BPMN_NS, "startEvent").stream().noneMatch(e -> start.equals(e.getAttribute("id")))) {
        problems.add(r.name() + ": process '" + key + "': has no start event '" + start + "', the only place it may "
            + "start (ProcessGuard refuses a start anywhere else)");
      }
    }
    walk(doc.getDocumentElement(), r.name(), formIds, problems);
  }

  private static void walk(Element e, String file, Set<String> formIds, List<String> problems) {
    String local = e.getLocalName();
    String ns = e.getNamespaceURI();
    if (BPMN_NS.equals(ns) && ("documentation".equals(local) || "textAnnotation".equals(local))) {
      return; // prose, never evaluated
    }
    if (ns != null && ns.contains("/DI") || ns != null && ns.endsWith("/DC")) {
      return; // diagram layout
    }
    String where = file + ": " + describe(e);
    if (BPMN_NS.equals(ns) && "scriptTask".equals(local)) {
      problems.add(where + ": script tasks are refused (a script runs any code in Airlock)");
    }
    if (CAMUNDA_BPMN_NS.equals(ns) && "script".equals(local)) {
      problems.add(where + ": camunda:script is refused (a script runs any code in Airlock)");
    }
    if (CAMUNDA_BPMN_NS.equals(ns) && "field".equals(local)) {
      problems.add(where + ": camunda:field is refused (it writes into the process's beans)");
    }
    if (CAMUNDA_BPMN_NS.equals(ns) && "connector".equals(local)) {
      problems.add(where + ": camunda:connector is refused (the engine would call any URL)");
    }
    if (e.hasAttribute("language") && BPMN_NS.equals(ns)) {
      problems.add(where + ": a condition in a script language ('" + e.getAttribute("language") + "') is refused");
    }
    NamedNodeMap attributes = e.getAttributes();
    for (int i = 0; i < attributes.getLength(); i++) {
      Attr a = (Attr) attributes.item(i);
      String name = a.getLocalName() == null ? a.getName() : a.getLocalName();
      boolean camunda = CAMUNDA_BPMN_NS.equals(a.getNamespaceURI()) || CAMUNDA_BPMN_NS.equals(ns);
      if (camunda && "class".equals(name)) {
        problems.add(where + ": camunda:class '" + a.getValue() + "' is refused (a Java class runs around Airlock's "
            + "checks); use camunda:delegateExpression with one of " + new java.util.TreeSet<>(ExpressionBeans.ALLOWED));
      } else if (camunda && "formKey".equals(name)) {
        problems.add(where + ": camunda:formKey is refused (embedded forms run their own scripts in Tasklist); use "
            + "camunda:formRef with a Camunda Form");
      } else if (camunda && "delegateExpression".equals(name)) {
        Matcher m = DELEGATE.matcher(a.getValue());
        if (!m.matches() || !ExpressionBeans.ALLOWED.contains(m.group(1))) {
          problems.add(where + ": delegate expression '" + a.getValue() + "' is not one of the process's beans "
              + new java.util.TreeSet<>(ExpressionBeans.ALLOWED));
        }
      } else {
        checkExpressions(a.getValue(), where + ": " + a.getName(), problems);
      }
    }
    if ("deployment".equals(e.getAttributeNS(CAMUNDA_BPMN_NS, "formRefBinding"))) {
      String ref = e.getAttributeNS(CAMUNDA_BPMN_NS, "formRef");
      if (!formIds.contains(ref)) {
        problems.add(where + ": form '" + ref + "' is bound to this deployment (camunda:formRefBinding=\"deployment\") "
            + "but the deployment does not contain it; deploy the process together with its forms (forms/*.form)");
      }
    }
    for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (c instanceof Element child) {
        walk(child, file, formIds, problems);
      } else if (c.getNodeType() == Node.TEXT_NODE || c.getNodeType() == Node.CDATA_SECTION_NODE) {
        checkExpressions(c.getNodeValue(), where, problems);
      }
    }
  }

  private static void checkExpressions(String text, String where, List<String> problems) {
    if (text == null || text.indexOf('{') < 0) {
      return;
    }
    Matcher m = EXPRESSION.matcher(text);
    while (m.find()) {
      String problem = expressionProblem(m.group(1));
      if (problem != null) {
        problems.add(where + ": expression '" + m.group() + "' is refused: " + problem);
      }
    }
  }

  /**
   * Why an expression body is refused, or null. Allowed: identifiers (variables), string, number
   * and boolean literals, operators, parentheses, {@code execution.getVariable(...)} and
   * {@code bean.method(...)} on a bean of {@link ExpressionBeans#ALLOWED}, whose result is not
   * dereferenced further.
   */
  static String expressionProblem(String body) {
    List<String> tokens;
    try {
      tokens = tokenize(body);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      String prev = i > 0 ? tokens.get(i - 1) : null;
      String next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
      if (t.equals(".")) {
        if (prev == null || !isIdentifier(prev) || (i >= 2 && tokens.get(i - 2).equals("."))) {
          return "only a variable or one of the process's beans may be followed by '.'";
        }
        if (next == null || !isIdentifier(next)) {
          return "'.' must be followed by a method name";
        }
        boolean executionVariable = prev.equals("execution") && next.equals("getVariable");
        boolean bean = ExpressionBeans.ALLOWED.contains(prev) && !next.equals("getClass") && !next.equals("class");
        if (!executionVariable && !bean) {
          return "'" + prev + "." + next + "' is not allowed (only execution.getVariable(...) and the methods of "
              + new java.util.TreeSet<>(ExpressionBeans.ALLOWED) + ")";
        }
      } else if (t.equals("(") && prev != null && isIdentifier(prev) && !isKeyword(prev)
          && (i < 2 || !tokens.get(i - 2).equals("."))) {
        return "function '" + prev + "(...)' is not allowed";
      }
    }
    return null;
  }

  private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge",
      "div", "mod", "empty", "true", "false", "null", "instanceof");

  private static boolean isKeyword(String t) {
    return KEYWORDS.contains(t);
  }

  private static boolean isIdentifier(String t) {
    return !t.isEmpty() && (Character.isLetter(t.charAt(0)) || t.charAt(0) == '_') && !isKeyword(t);
  }

  private static final List<String> OPERATORS = List.of("==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-",
      "*", "/", "%", "?", ":", "(", ")", ",", ".");

  static List<String> tokenize(String s) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '\'' || c == '"') {
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != c) {
          j += s.charAt(j) == '\\' ? 2 : 1;
        }
        if (j >= s.length()) {
          throw new IllegalArgumentException("unterminated string");
        }
        tokens.add("'");
        i = j + 1;
      } else if (Character.isDigit(c)) {
        int j = i;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.')) {
          j++;
        }
        tokens.add("0");
        i = j;
      } else if (Character.isLetter(c) || c == '_') {
        int j = i;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
          j++;
        }
        tokens.add(s.substring(i, j));
        i = j;
      } else {
        String op = null;
        for (String o : OPERATORS) {
          if (s.startsWith(o, i)) {
            op = o;
            break;
          }
        }
        if (op == null) {
          throw new IllegalArgumentException("'" + c + "' is not allowed (no [..], assignments, lambdas or nested expressions)");
        }
        tokens.add(op);
        i += op.length();
      }
    }
    return tokens;
  }

  // ------------------------------------------------------------------------------------ DMN

  private static void checkDmn(Resource r, List<String> problems) {
    Document doc = parse(r, problems);
    if (doc == null) {
      return;
    }
    checkDmnElement(doc.getDocumentElement(), r.name(), problems);
  }

  private static void checkDmnElement(Element e, String file, List<String> problems) {
    String language = e.getAttribute("expressionLanguage");
    if (!language.isEmpty() && !FEEL.contains(language.toLowerCase(Locale.ROOT))) {
      problems.add(file + ": " + describe(e) + ": expression language '" + language + "' is refused; decisions are "
          + "written in FEEL (JUEL and script languages can call any code)");
    }
    for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (c instanceof Element child) {
        checkDmnElement(child, file, problems);
      }
    }
  }

  // ------------------------------------------------------------------------------------ forms

  /** The form's id, or null if it has none or does not parse. */
  private static String checkForm(Resource r, List<String> problems) {
    JsonNode form;
    try {
      form = JSON.readTree(r.bytes());
    } catch (IOException e) {
      problems.add(r.name() + ": not a Camunda Form (JSON): " + e.getMessage());
      return null;
    }
    if (form == null || !form.path("id").isTextual() || form.path("id").asText().isBlank()) {
      problems.add(r.name() + ": the form has no id (camunda:formRef names it by its id)");
      return null;
    }
    checkComponents(form, r.name(), problems);
    return form.path("id").asText();
  }

  private static void checkComponents(JsonNode node, String file, List<String> problems) {
    String type = node.path("type").asText("");
    if (!type.isEmpty() && !FORM_COMPONENTS.contains(type)) {
      problems.add(file + ": component '" + node.path("id").asText(node.path("key").asText("?")) + "': type '" + type
          + "' is refused (only " + new java.util.TreeSet<>(FORM_COMPONENTS) + ")");
    }
    for (JsonNode child : node.path("components")) {
      checkComponents(child, file, problems);
    }
  }

  // ------------------------------------------------------------------------------------ XML

  static Document parse(Resource r, List<String> problems) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      return b.parse(new ByteArrayInputStream(r.bytes()));
    } catch (ParserConfigurationException | SAXException | IOException e) {
      problems.add(r.name() + ": not well-formed XML: " + e.getMessage());
      return null;
    }
  }

  /** The elements named {@code local} inside {@code parent}. */
  static List<Element> children(Element parent, String ns, String local) {
    return list(parent.getElementsByTagNameNS(ns, local));
  }

  static List<Element> elements(Document doc, String ns, String local) {
    return list(doc.getElementsByTagNameNS(ns, local));
  }

  private static List<Element> list(NodeList nodes) {
    List<Element> list = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      list.add((Element) nodes.item(i));
    }
    return list;
  }

  /** "userTask 'Task_ReviewRequest' (Review access request)", or the element's path without an id. */
  static String describe(Element e) {
    String id = e.getAttribute("id");
    if (!id.isEmpty()) {
      String name = e.getAttribute("name");
      return e.getLocalName() + " '" + id + "'" + (name.isEmpty() ? "" : " (" + name + ")");
    }
    Node parent = e.getParentNode();
    return (parent instanceof Element p ? describe(p) + " > " : "") + e.getLocalName();
  }

  /** Convenience for callers holding a name → bytes map. */
  public static List<String> check(Map<String, byte[]> resources) {
    List<Resource> list = new ArrayList<>();
    resources.forEach((name, bytes) -> list.add(new Resource(name, bytes)));
    return check(list);
  }
}
