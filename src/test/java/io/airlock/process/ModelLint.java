package io.airlock.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The house rules for the models in bpmn/, dmn/ and forms/ (STYLE.md, "Models"), checked in the
 * build so that a broken model fails {@code mvn verify} with the file and element, not Airlock
 * at start. On top of {@link ModelRules} (what any deployment must keep):
 * <ul>
 *   <li>BPMN: every task, event and exclusive or inclusive gateway has a name, and so has every
 *       flow leaving such a gateway (its answer); parallel and event-based gateways ask no question
 *       and may stay unnamed. Ids carry the prefix of their kind: {@code Task_}, {@code Gateway_},
 *       {@code StartEvent_}/{@code Event_} (start), {@code End_}/{@code Event_} (end), {@code Event_}
 *       (intermediate, boundary), {@code Flow_}, {@code Message_}, {@code Error_},
 *       {@code TimerEventDefinition_} (the definition's kind), ...; the process id is its key in
 *       kebab case. Every process sets {@code camunda:historyTimeToLive}. Every
 *       {@code camunda:formRef} names a form in forms/ and binds it by deployment.
 *   <li>DMN: every decision has a name and {@code camunda:historyTimeToLive}; inputs and outputs
 *       have labels, outputs names; every rule has a description (its annotation: why); ids carry
 *       {@code Definitions_}, {@code DecisionTable_}, {@code Input_}, {@code InputExpression_},
 *       {@code Output_}, {@code Rule_}, {@code UnaryTests_}, {@code LiteralExpression_}. Every
 *       output value is a known one: one of the output's declared values ({@code outputValues};
 *       {@value #OUTCOME} must declare {@code "APPROVE","DENY","MANUAL"}), {@code true}/{@code false}
 *       for a boolean, a number for a number.
 *   <li>Forms: an id in kebab case; every component's id carries {@code Field_} (inputs),
 *       {@code Text_}, {@code Group_}, {@code Separator_} or {@code Spacer_}; inputs have a key
 *       and a label.
 * </ul>
 */
final class ModelLint {

  static final String OUTCOME = "approvalOutcome";
  static final Set<String> OUTCOMES = Set.of("\"APPROVE\"", "\"DENY\"", "\"MANUAL\"");
  private static final String DMN_NS_PREFIX = "https://www.omg.org/spec/DMN/";
  private static final String CAMUNDA_DMN_NS = "http://camunda.org/schema/1.0/dmn";
  private static final String KEBAB = "[a-z][a-z0-9]*(-[a-z0-9]+)*";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelLint() {}

  /** Every problem of the models under root (bpmn/, dmn/, forms/), as "file: element: problem". */
  static List<String> lint(Path root) {
    List<ModelRules.Resource> resources = read(root);
    List<String> problems = new ArrayList<>(ModelRules.check(resources));
    Set<String> formIds = new LinkedHashSet<>();
    for (ModelRules.Resource r : resources) {
      if (r.name().endsWith(".form")) {
        lintForm(r, formIds, problems);
      }
    }
    for (ModelRules.Resource r : resources) {
      if (r.name().endsWith(".bpmn")) {
        lintBpmn(r, formIds, problems);
      } else if (r.name().endsWith(".dmn")) {
        lintDmn(r, problems);
      }
    }
    return problems;
  }

  static List<ModelRules.Resource> read(Path root) {
    List<ModelRules.Resource> resources = new ArrayList<>();
    for (String folder : List.of("bpmn", "dmn", "forms")) {
      Path dir = root.resolve(folder);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
          resources.add(new ModelRules.Resource(root.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f)));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return resources;
  }

  // ------------------------------------------------------------------------------------ BPMN

  private static final Set<String> NAMED_GATEWAYS = Set.of("exclusiveGateway", "inclusiveGateway", "complexGateway");

  private static void lintBpmn(ModelRules.Resource r, Set<String> formIds, List<String> problems) {
    Document doc = ModelRules.parse(r, new ArrayList<>());
    if (doc == null) {
      return; // ModelRules reported it
    }
    Element root = doc.getDocumentElement();
    prefix(r, root, "Definitions_", problems);
    Set<String> namedGateways = new LinkedHashSet<>();
    for (String g : NAMED_GATEWAYS) {
      ModelRules.elements(doc, ModelRules.BPMN_NS, g).forEach(e -> namedGateways.add(e.getAttribute("id")));
    }
    for (Element e : all(root)) {
      if (!ModelRules.BPMN_NS.equals(e.getNamespaceURI())) {
        continue;
      }
      String kind = e.getLocalName();
      String where = r.name() + ": " + ModelRules.describe(e);
      if (kind.equals("process")) {
        if (!e.getAttribute("id").matches(KEBAB)) {
          problems.add(where + ": a process id is its key in kebab case (access-request)");
        }
        if (e.getAttributeNS(ModelRules.CAMUNDA_BPMN_NS, "historyTimeToLive").isBlank()) {
          problems.add(where + ": camunda:historyTimeToLive is not set");
        }
        continue;
      }
      String prefix = bpmnPrefix(kind);
      if (prefix != null) {
        prefix(r, e, prefix, problems);
      }
      boolean task = kind.endsWith("Task") || kind.equals("task") || kind.equals("subProcess")
          || kind.equals("callActivity");
      boolean event = kind.endsWith("Event");
      boolean flowFromQuestion = kind.equals("sequenceFlow") && namedGateways.contains(e.getAttribute("sourceRef"));
      if ((task || event || NAMED_GATEWAYS.contains(kind) || flowFromQuestion) && e.getAttribute("name").isBlank()) {
        problems.add(where + ": has no name" + (flowFromQuestion ? " (the answer to its gateway's question)" : ""));
      }
      String formRef = e.getAttributeNS(ModelRules.CAMUNDA_BPMN_NS, "formRef");
      if (!formRef.isEmpty()) {
        if (!formIds.contains(formRef)) {
          problems.add(where + ": camunda:formRef '" + formRef + "' is not the id of a form in forms/");
        }
        if (!"deployment".equals(e.getAttributeNS(ModelRules.CAMUNDA_BPMN_NS, "formRefBinding"))) {
          problems.add(where + ": camunda:formRefBinding is not \"deployment\"");
        }
      }
    }
  }

  private static String bpmnPrefix(String kind) {
    if (kind.endsWith("Task") || kind.equals("task")) {
      return "Task_";
    }
    if (kind.endsWith("EventDefinition")) {
      return Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + "_";
    }
    return switch (kind) {
      case "subProcess" -> "SubProcess_";
      case "callActivity" -> "CallActivity_";
      case "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway" -> "Gateway_";
      case "startEvent" -> "StartEvent_|Event_";
      case "endEvent" -> "End_|EndEvent_|Event_";
      case "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent" -> "Event_";
      case "sequenceFlow" -> "Flow_";
      case "message" -> "Message_";
      case "error" -> "Error_";
      case "signal" -> "Signal_";
      case "escalation" -> "Escalation_";
      case "textAnnotation" -> "TextAnnotation_";
      case "association" -> "Association_";
      case "collaboration" -> "Collaboration_";
      case "participant" -> "Participant_";
      case "lane" -> "Lane_";
      case "laneSet" -> "LaneSet_";
      default -> null;
    };
  }

  // ------------------------------------------------------------------------------------ DMN

  private static void lintDmn(ModelRules.Resource r, List<String> problems) {
    Document doc = ModelRules.parse(r, new ArrayList<>());
    if (doc == null) {
      return;
    }
    Element root = doc.getDocumentElement();
    prefix(r, root, "Definitions_", problems);
    for (Element e : all(root)) {
      String ns = e.getNamespaceURI();
      if (ns == null || !ns.startsWith(DMN_NS_PREFIX) || !ns.endsWith("/MODEL/")) {
        continue;
      }
      String where = r.name() + ": " + ModelRules.describe(e);
      switch (e.getLocalName()) {
        case "decision" -> {
          if (!e.getAttribute("id").matches(KEBAB)) {
            problems.add(where + ": a decision id is its key in kebab case (auto-approval)");
          }
          if (e.getAttribute("name").isBlank()) {
            problems.add(where + ": has no name");
          }
          if (e.getAttributeNS(CAMUNDA_DMN_NS, "historyTimeToLive").isBlank()) {
            problems.add(where + ": camunda:historyTimeToLive is not set");
          }
        }
        case "decisionTable" -> {
          prefix(r, e, "DecisionTable_", problems);
          lintTable(r, e, problems);
        }
        case "input" -> {
          prefix(r, e, "Input_", problems);
          if (e.getAttribute("label").isBlank()) {
            problems.add(where + ": has no label");
          }
        }
        case "inputExpression" -> prefix(r, e, "InputExpression_", problems);
        case "output" -> {
          prefix(r, e, "Output_", problems);
          if (e.getAttribute("label").isBlank()) {
            problems.add(where + ": has no label");
          }
          if (e.getAttribute("name").isBlank()) {
            problems.add(where + ": has no name (the result's variable)");
          }
        }
        case "rule" -> {
          prefix(r, e, "Rule_", problems);
          if (text(child(e, "description")).isBlank()) {
            problems.add(where + ": has no description (annotate why the rule is there)");
          }
        }
        case "inputEntry", "outputValues", "inputValues" -> prefix(r, e, "UnaryTests_", problems);
        case "outputEntry", "literalExpression" -> prefix(r, e, "LiteralExpression_", problems);
        default -> { }
      }
    }
  }

  /** Every output entry is a value its output knows. */
  private static void lintTable(ModelRules.Resource r, Element table, List<String> problems) {
    List<Element> outputs = children(table, "output");
    for (Element output : outputs) {
      if (OUTCOME.equals(output.getAttribute("name"))) {
        Set<String> declared = declared(output);
        if (!declared.equals(OUTCOMES)) {
          problems.add(r.name() + ": " + ModelRules.describe(output) + ": declares the values " + declared
              + ", not exactly " + OUTCOMES + " (outputValues)");
        }
      }
    }
    for (Element rule : children(table, "rule")) {
      List<Element> entries = children(rule, "outputEntry");
      for (int i = 0; i < entries.size() && i < outputs.size(); i++) {
        Element output = outputs.get(i);
        String value = text(entries.get(i)).trim();
        String problem = unknownValue(output, value);
        if (problem != null) {
          problems.add(r.name() + ": " + ModelRules.describe(rule) + ": output '" + output.getAttribute("name")
              + "' is " + (value.isEmpty() ? "empty" : value) + ": " + problem);
        }
      }
    }
  }

  private static String unknownValue(Element output, String value) {
    Set<String> declared = declared(output);
    if (!declared.isEmpty()) {
      return value.isEmpty() || declared.contains(value) ? null : "not one of its values " + declared;
    }
    if (value.isEmpty()) {
      return null;
    }
    return switch (output.getAttribute("typeRef")) {
      case "boolean" -> value.equals("true") || value.equals("false") ? null : "not true or false";
      case "integer", "long", "double" -> value.matches("-?\\d+(\\.\\d+)?") ? null : "not a number";
      default -> null;
    };
  }

  private static Set<String> declared(Element output) {
    Set<String> values = new LinkedHashSet<>();
    Element outputValues = child(output, "outputValues");
    if (outputValues != null) {
      for (String v : text(outputValues).split(",")) {
        if (!v.isBlank()) {
          values.add(v.trim());
        }
      }
    }
    return values;
  }

  // ------------------------------------------------------------------------------------ forms

  private static final Set<String> INPUTS = Set.of("textfield", "textarea", "number", "select", "radio", "checkbox",
      "checklist", "taglist", "datetime");

  private static void lintForm(ModelRules.Resource r, Set<String> formIds, List<String> problems) {
    JsonNode form;
    try {
      form = JSON.readTree(r.bytes());
    } catch (IOException e) {
      return; // ModelRules reported it
    }
    String id = form.path("id").asText("");
    if (!id.isEmpty()) {
      formIds.add(id);
      if (!id.matches(KEBAB)) {
        problems.add(r.name() + ": form '" + id + "': a form id is kebab case (review-access-request)");
      }
    }
    lintComponents(r, form.path("components"), problems);
  }

  private static void lintComponents(ModelRules.Resource r, JsonNode components, List<String> problems) {
    for (JsonNode c : components) {
      String type = c.path("type").asText("");
      String id = c.path("id").asText("");
      String prefix = switch (type) {
        case "text" -> "Text_";
        case "group" -> "Group_";
        case "separator" -> "Separator_";
        case "spacer" -> "Spacer_";
        default -> "Field_";
      };
      String where = r.name() + ": " + type + " '" + (id.isEmpty() ? c.path("key").asText("?") : id) + "'";
      if (!id.startsWith(prefix) || id.length() == prefix.length()) {
        problems.add(where + ": id does not start with " + prefix);
      }
      if (INPUTS.contains(type)) {
        if (c.path("key").asText("").isBlank()) {
          problems.add(where + ": has no key (the variable it shows or sets)");
        }
        if (c.path("label").asText("").isBlank()) {
          problems.add(where + ": has no label");
        }
      }
      lintComponents(r, c.path("components"), problems);
    }
  }

  // ------------------------------------------------------------------------------------ helpers

  private static void prefix(ModelRules.Resource r, Element e, String prefixes, List<String> problems) {
    String id = e.getAttribute("id");
    for (String p : prefixes.split("\\|")) {
      if (id.startsWith(p) && id.length() > p.length()) {
        return;
      }
    }
    problems.add(r.name() + ": " + ModelRules.describe(e) + ": "
        + (id.isEmpty() ? "has no id" : "id does not start with " + String.join(" or ", prefixes.split("\\|"))));
  }

  private static List<Element> all(Element root) {
    List<Element> list = new ArrayList<>();
    collect(root, list);
    return list;
  }

  private static void collect(Element e, List<Element> list) {
    list.add(e);
    for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (c instanceof Element child) {
        collect(child, list);
      }
    }
  }

  private static List<Element> children(Element parent, String local) {
    List<Element> list = new ArrayList<>();
    for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (c instanceof Element child && local.equals(child.getLocalName())) {
        list.add(child);
      }
    }
    return list;
  }

  private static Element child(Element parent, String local) {
    List<Element> list = children(parent, local);
    return list.isEmpty() ? null : list.get(0);
  }

  /** The text of an element's text child (DMN keeps values in {@code <text>}), or its own text. */
  private static String text(Element e) {
    if (e == null) {
      return "";
    }
    Element text = child(e, "text");
    return (text != null ? text.getTextContent() : e.getTextContent()).trim();
  }
}
