package io.airlock.aws;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Airlock's integration role template ({@value #LOCATION}) read the way CloudFormation would
 * deploy it with given parameter values: parameters checked against their constraints,
 * conditions and intrinsic functions ({@code !Ref}, {@code !Sub}, {@code !GetAtt}, {@code !If},
 * {@code !Select}, {@code !Split}, {@code !Join}, ...) resolved, conditional resources left out.
 * Pseudo parameters: partition {@value #PARTITION}, account {@value #ACCOUNT_ID}, region
 * {@value #REGION}.
 *
 * <p>Statements come from the role's inline policies and the {@code AWS::IAM::RolePolicy}
 * resources attached to it. A policy resource whose {@code Metadata.Airlock.OnTheWire} is
 * {@code false} holds permissions AWS requires of the caller for a side effect, not API
 * operations Airlock calls: {@link #wireActions()} leaves them out, {@link #nonWireActions()}
 * lists them.
 */
public final class IntegrationRoleTemplate {

  static final String LOCATION = "src/main/cloudformation/airlock-integration-role.yaml";
  static final String ROLE = "IntegrationRole";
  static final String PARTITION = "aws";
  static final String ACCOUNT_ID = "111111111111";
  static final String REGION = "us-east-1";

  /** One statement of a resolved policy document. Conditions: operator, then key, then values. */
  record Statement(
      String policy,
      boolean onTheWire,
      String sid,
      String effect,
      Object principal,
      List<String> actions,
      List<String> notActions,
      List<String> resources,
      List<String> notResources,
      Map<String, Map<String, List<String>>> conditions) {

    /** The values of a condition key under an operator, empty when absent. */
    List<String> condition(String operator, String key) {
      return conditions.getOrDefault(operator, Map.of()).getOrDefault(key, List.of());
    }

    /** Every condition key the statement uses, whatever the operator. */
    Set<String> conditionKeys() {
      return conditions.values().stream().flatMap(m -> m.keySet().stream())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static final Object NO_VALUE = new Object();
  private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{(!?)([^}]+)}");

  private final Map<String, Object> template;
  private final Map<String, String> parameters;
  private final Map<String, Boolean> conditions = new HashMap<>();
  private final Map<String, Object> resources = new LinkedHashMap<>();
  private final Map<String, Object> outputs;
  private final List<Statement> trustPolicy;
  private final List<Statement> statements;
  private final Map<String, Object> policyDocuments = new LinkedHashMap<>();

  private IntegrationRoleTemplate(Map<String, Object> template, Map<String, String> given) {
    this.template = template;
    this.parameters = checkedParameters(given);
    for (var resource : map(template.get("Resources")).entrySet()) {
      Map<String, Object> definition = map(resource.getValue());
      Object condition = definition.get("Condition");
      if (condition == null || condition((String) condition)) {
        resources.put(resource.getKey(), resolve(definition));
      }
    }
    this.outputs = map(resolve(template.getOrDefault("Outputs", Map.of())));

    Map<String, Object> role = map(resources.get(ROLE));
    if (role == null || !"AWS::IAM::Role".equals(role.get("Type"))) {
      throw new IllegalStateException("no AWS::IAM::Role " + ROLE + " in " + LOCATION);
    }
    Map<String, Object> roleProperties = map(role.get("Properties"));
    this.trustPolicy = statements("trust policy", true, map(roleProperties.get("AssumeRolePolicyDocument")));
    List<Statement> all = new ArrayList<>();
    for (Object inline : list(roleProperties.getOrDefault("Policies", List.of()))) {
      Map<String, Object> policy = map(inline);
      String name = (String) policy.get("PolicyName");
      policyDocuments.put(name, policy.get("PolicyDocument"));
      all.addAll(statements(name, true, map(policy.get("PolicyDocument"))));
    }
    for (var entry : resources.entrySet()) {
      Map<String, Object> resource = map(entry.getValue());
      Map<String, Object> properties = map(resource.getOrDefault("Properties", Map.of()));
      if ("AWS::IAM::RolePolicy".equals(resource.get("Type")) && ROLE.equals(properties.get("RoleName"))) {
        Map<String, Object> airlock = map(map(resource.getOrDefault("Metadata", Map.of())).getOrDefault("Airlock", Map.of()));
        boolean onTheWire = !Boolean.FALSE.equals(airlock.get("OnTheWire"));
        String name = (String) properties.get("PolicyName");
        policyDocuments.put(name, properties.get("PolicyDocument"));
        all.addAll(statements(name, onTheWire, map(properties.get("PolicyDocument"))));
      }
    }
    this.statements = List.copyOf(all);
  }

  /** The template with the given parameter values; the others take their defaults. */
  public static IntegrationRoleTemplate load(Map<String, String> parameters) {
    try (Reader reader = Files.newBufferedReader(Path.of(LOCATION))) {
      Map<String, Object> template = new Yaml(new CloudFormationConstructor(new LoaderOptions())).load(reader);
      return new IntegrationRoleTemplate(template, parameters);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + LOCATION, e);
    }
  }

  /** The template as written: intrinsic functions in their long form, nothing resolved. */
  Map<String, Object> raw() {
    return template;
  }

  /** A parameter's definition as written (Type, Default, NoEcho, MinLength, ...). */
  Map<String, Object> parameterDefinition(String name) {
    return map(map(template.get("Parameters")).get(name));
  }

  /** The parameter values this template was resolved with, defaults included. */
  Map<String, String> parameters() {
    return parameters;
  }

  /** The deployed resources (conditional ones left out), resolved. */
  Map<String, Object> resources() {
    return resources;
  }

  /** The role's resolved properties. */
  Map<String, Object> roleProperties() {
    return map(map(resources.get(ROLE)).get("Properties"));
  }

  /** The resolved outputs. */
  Map<String, Object> outputs() {
    return outputs;
  }

  /** The role's trust policy (AssumeRolePolicyDocument). */
  List<Statement> trustPolicy() {
    return trustPolicy;
  }

  /** Every permission statement: the role's inline policies and the policies attached to it. */
  List<Statement> statements() {
    return statements;
  }

  /** Each permission policy's resolved document, by policy name. */
  Map<String, Object> policyDocuments() {
    return policyDocuments;
  }

  /** Every action an Allow statement grants, like {@code sso:CreateAccountAssignment}. */
  Set<String> allowedActions() {
    return actions(statements);
  }

  /** The allowed actions that are API operations Airlock calls (what the wire shows). */
  public Set<String> wireActions() {
    return actions(statements.stream().filter(Statement::onTheWire).toList());
  }

  /** The allowed actions AWS requires of the caller for a side effect, not called by Airlock. */
  Set<String> nonWireActions() {
    return actions(statements.stream().filter(s -> !s.onTheWire()).toList());
  }

  private static Set<String> actions(Collection<Statement> statements) {
    return statements.stream().filter(s -> "Allow".equals(s.effect()))
        .flatMap(s -> s.actions().stream()).collect(Collectors.toCollection(TreeSet::new));
  }

  // ---- parameters and conditions ---------------------------------------------------------

  private Map<String, String> checkedParameters(Map<String, String> given) {
    Map<String, Object> definitions = map(template.get("Parameters"));
    for (String name : given.keySet()) {
      if (!definitions.containsKey(name)) {
        throw new IllegalArgumentException("no parameter " + name);
      }
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (var entry : definitions.entrySet()) {
      String name = entry.getKey();
      Map<String, Object> definition = map(entry.getValue());
      Object value = given.containsKey(name) ? given.get(name) : definition.get("Default");
      if (value == null) {
        throw new IllegalArgumentException("parameter " + name + " has no value and no default");
      }
      String text = String.valueOf(value);
      check(name, definition, text);
      values.put(name, text);
    }
    return Map.copyOf(values);
  }

  private static void check(String name, Map<String, Object> definition, String value) {
    List<String> problems = new ArrayList<>();
    if (definition.containsKey("AllowedValues")
        && list(definition.get("AllowedValues")).stream().map(String::valueOf).noneMatch(value::equals)) {
      problems.add("not one of " + definition.get("AllowedValues"));
    }
    if (definition.containsKey("AllowedPattern") && !Pattern.matches((String) definition.get("AllowedPattern"), value)) {
      problems.add("does not match " + definition.get("AllowedPattern"));
    }
    if ("Number".equals(definition.get("Type"))) {
      BigDecimal number = new BigDecimal(value);
      if (definition.containsKey("MinValue") && number.compareTo(new BigDecimal(String.valueOf(definition.get("MinValue")))) < 0) {
        problems.add("below MinValue " + definition.get("MinValue"));
      }
      if (definition.containsKey("MaxValue") && number.compareTo(new BigDecimal(String.valueOf(definition.get("MaxValue")))) > 0) {
        problems.add("above MaxValue " + definition.get("MaxValue"));
      }
    } else {
      if (definition.containsKey("MinLength") && value.length() < ((Number) definition.get("MinLength")).intValue()) {
        problems.add("shorter than MinLength " + definition.get("MinLength"));
      }
      if (definition.containsKey("MaxLength") && value.length() > ((Number) definition.get("MaxLength")).intValue()) {
        problems.add("longer than MaxLength " + definition.get("MaxLength"));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("parameter " + name + ": " + String.join(", ", problems));
    }
  }

  private boolean condition(String name) {
    Boolean known = conditions.get(name);
    if (known == null) {
      Object definition = map(template.getOrDefault("Conditions", Map.of())).get(name);
      if (definition == null) {
        throw new IllegalStateException("no condition " + name);
      }
      known = truth(definition);
      conditions.put(name, known);
    }
    return known;
  }

  private boolean truth(Object node) {
    Object value = resolve(node);
    if (value instanceof Boolean b) {
      return b;
    }
    throw new IllegalStateException("not a condition: " + node);
  }

  // ---- intrinsic functions ---------------------------------------------------------------

  private Object resolve(Object node) {
    if (node instanceof Map<?, ?> m) {
      if (m.size() == 1) {
        var entry = m.entrySet().iterator().next();
        String key = String.valueOf(entry.getKey());
        // {Condition: name} on its own is the Condition function (inside Fn::And, ...); a
        // resource's or a statement's Condition key always has siblings.
        if (key.equals("Ref") || key.startsWith("Fn::") || key.equals("Condition") && entry.getValue() instanceof String) {
          return function(key, entry.getValue());
        }
      }
      Map<String, Object> resolved = new LinkedHashMap<>();
      for (var entry : m.entrySet()) {
        Object value = resolve(entry.getValue());
        if (value != NO_VALUE) {
          resolved.put(String.valueOf(entry.getKey()), value);
        }
      }
      return resolved;
    }
    if (node instanceof List<?> l) {
      List<Object> resolved = new ArrayList<>();
      for (Object item : l) {
        Object value = resolve(item);
        if (value != NO_VALUE) {
          resolved.add(value);
        }
      }
      return resolved;
    }
    return node;
  }

  private Object function(String name, Object argument) {
    return switch (name) {
      case "Ref" -> ref((String) argument);
      case "Fn::Sub" -> sub(argument);
      case "Fn::GetAtt" -> {
        List<Object> parts = list(resolve(argument));
        yield "${" + parts.get(0) + "." + parts.get(1) + "}";
      }
      case "Fn::Select" -> {
        List<Object> parts = list(resolve(argument));
        yield list(parts.get(1)).get(Integer.parseInt(String.valueOf(parts.get(0))));
      }
      case "Fn::Split" -> {
        List<Object> parts = list(resolve(argument));
        yield List.of(((String) parts.get(1)).split(Pattern.quote((String) parts.get(0)), -1));
      }
      case "Fn::Join" -> {
        List<Object> parts = list(resolve(argument));
        yield list(parts.get(1)).stream().map(String::valueOf).collect(Collectors.joining((String) parts.get(0)));
      }
      case "Fn::If" -> {
        List<Object> parts = list(argument);
        yield resolve(condition((String) parts.get(0)) ? parts.get(1) : parts.get(2));
      }
      case "Fn::Equals" -> {
        List<Object> parts = list(resolve(argument));
        yield String.valueOf(parts.get(0)).equals(String.valueOf(parts.get(1)));
      }
      case "Fn::Not" -> !truth(list(argument).get(0));
      case "Fn::And" -> list(argument).stream().allMatch(this::truth);
      case "Fn::Or" -> list(argument).stream().anyMatch(this::truth);
      case "Condition" -> condition((String) argument);
      default -> throw new IllegalStateException("intrinsic function not supported here: " + name);
    };
  }

  private Object ref(String name) {
    return switch (name) {
      case "AWS::Partition" -> PARTITION;
      case "AWS::AccountId" -> ACCOUNT_ID;
      case "AWS::Region" -> REGION;
      case "AWS::URLSuffix" -> "amazonaws.com";
      case "AWS::StackName" -> "airlock-integration-role";
      case "AWS::NoValue" -> NO_VALUE;
      default -> {
        if (parameters.containsKey(name)) {
          yield parameters.get(name);
        }
        if (map(template.get("Resources")).containsKey(name)) {
          yield name; // a resource's Ref: its logical id stands for its physical id
        }
        throw new IllegalStateException("Ref to nothing: " + name);
      }
    };
  }

  private String sub(Object argument) {
    String text;
    Map<String, Object> variables = new HashMap<>();
    if (argument instanceof List<?> l) {
      text = (String) l.get(0);
      for (var entry : map(resolve(l.get(1))).entrySet()) {
        variables.put(entry.getKey(), entry.getValue());
      }
    } else {
      text = (String) argument;
    }
    Matcher matcher = SUB_VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String variable = matcher.group(2);
      String replacement;
      if (!matcher.group(1).isEmpty()) {
        replacement = "${" + variable + "}";
      } else if (variables.containsKey(variable)) {
        replacement = String.valueOf(variables.get(variable));
      } else if (variable.contains(".") && !variable.startsWith("AWS::")) {
        replacement = "${" + variable + "}"; // GetAtt, e.g. ${IntegrationRole.Arn}
      } else {
        replacement = String.valueOf(ref(variable));
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  // ---- policy documents ------------------------------------------------------------------

  private static List<Statement> statements(String policy, boolean onTheWire, Map<String, Object> document) {
    if (document == null) {
      throw new IllegalStateException("policy " + policy + " has no document");
    }
    List<Statement> statements = new ArrayList<>();
    Object body = document.get("Statement");
    for (Object item : body instanceof List<?> l ? l : List.of(body)) {
      Map<String, Object> s = map(item);
      statements.add(new Statement(policy, onTheWire, (String) s.get("Sid"), (String) s.get("Effect"),
          s.get("Principal"), strings(s.get("Action")), strings(s.get("NotAction")),
          strings(s.get("Resource")), strings(s.get("NotResource")), conditionsOf(s.get("Condition"))));
    }
    return List.copyOf(statements);
  }

  private static Map<String, Map<String, List<String>>> conditionsOf(Object node) {
    Map<String, Map<String, List<String>>> conditions = new LinkedHashMap<>();
    if (node != null) {
      for (var operator : map(node).entrySet()) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (var key : map(operator.getValue()).entrySet()) {
          keys.put(key.getKey(), strings(key.getValue()));
        }
        conditions.put(operator.getKey(), Map.copyOf(keys));
      }
    }
    return Map.copyOf(conditions);
  }

  private static List<String> strings(Object node) {
    if (node == null) {
      return List.of();
    }
    if (node instanceof List<?> l) {
      return l.stream().map(String::valueOf).toList();
    }
    return List.of(String.valueOf(node));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node) {
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object node) {
    return (List<Object>) node;
  }

  // ---- YAML ------------------------------------------------------------------------------

  /**
   * SnakeYAML's safe constructor plus CloudFormation's short-form tags: {@code !Sub x} becomes
   * {@code {Fn::Sub: x}}, {@code !Ref x} becomes {@code {Ref: x}}, {@code !GetAtt A.B} becomes
   * {@code {Fn::GetAtt: [A, B]}}, whether the tagged node is a scalar, a sequence or a mapping.
   */
  static final class CloudFormationConstructor extends SafeConstructor {

    private static final Set<String> FUNCTIONS = new LinkedHashSet<>(List.of(
        "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split",
        "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "ToJsonString", "Length"));

    CloudFormationConstructor(LoaderOptions options) {
      super(options);
      yamlConstructors.put(new Tag("!Ref"), new ShortForm("Ref"));
      yamlConstructors.put(new Tag("!Condition"), new ShortForm("Condition"));
      for (String function : FUNCTIONS) {
        yamlConstructors.put(new Tag("!" + function), new ShortForm("Fn::" + function));
      }
    }

    private final class ShortForm extends AbstractConstruct {
      private final String function;

      ShortForm(String function) {
        this.function = function;
      }

      @Override
      public Object construct(Node node) {
        Object value;
        if (node instanceof ScalarNode scalar) {
          value = constructScalar(scalar);
          if (function.equals("Fn::GetAtt")) {
            value = List.of(((String) value).split("\\.", 2));
          }
        } else if (node instanceof SequenceNode sequence) {
          value = constructSequence(sequence);
        } else {
          value = constructMapping((MappingNode) node);
        }
        return Map.of(function, value);
      }
    }
  }
}
