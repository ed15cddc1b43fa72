package io.airlock.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The record of how policy judged each request: the decision definition (id and version) that
 * was evaluated, the variables it was given, the rules that matched and what they output. Written
 * once, in the transaction of the step that decided; never re-evaluated, so a table deployed
 * later does not change how an already-decided request was judged.
 */
@Component
public class PolicyDecisions {

  static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();

  private final PolicyDecisionMapper mapper;
  private final Clock clock;

  PolicyDecisions(PolicyDecisionMapper mapper, Clock clock) {
    this.mapper = mapper;
    this.clock = clock;
  }

  /** How one decision table judged a request. */
  public record DecisionRecord(String decision, String decisionDefinitionId, int decisionVersion,
      Instant evaluatedAt, Map<String, Object> inputs, List<Rule> matchedRules, Map<String, Object> outputs) {}

  /** A rule that matched: its id, its row (1 = first), its outputs. */
  public record Rule(String ruleId, int row, Map<String, Object> outputs) {}

  /**
   * Records how the definition {@code definitionId} (version {@code version}) of {@code decisionKey}
   * judged the request on {@code variables}: the rules that matched, in order (the first one's
   * outputs are the answer). Called in the transaction of the step that decided.
   */
  public void record(String requestId, String decisionKey, String definitionId, int version, List<Rule> matched,
      Map<String, Object> variables) {
    Map<String, Object> outputs = matched.isEmpty() ? Map.of() : matched.get(0).outputs();
    mapper.insert(new PolicyDecisionMapper.Row(UUID.randomUUID().toString(), requestId, decisionKey,
        definitionId, version, clock.instant(), json(variables), json(matched), json(outputs)));
  }

  /** Every evaluation of policy for the request, oldest first. */
  public List<DecisionRecord> forRequest(String requestId) {
    return mapper.forRequest(requestId).stream().map(PolicyDecisions::read).toList();
  }

  /** The last {@code limit} requests judged by {@code decisionKey}, newest first. */
  List<Stored> latest(String decisionKey, int limit) {
    return mapper.latest(decisionKey, limit).stream().map(r -> new Stored(r.requestId(), read(r))).toList();
  }

  /** The evaluations of {@code decisionKey} for these requests, by request id. */
  Map<String, DecisionRecord> forRequests(String decisionKey, List<String> requestIds) {
    Map<String, DecisionRecord> out = new LinkedHashMap<>();
    for (int i = 0; i < requestIds.size(); i += 500) {
      List<String> chunk = requestIds.subList(i, Math.min(requestIds.size(), i + 500));
      mapper.forRequests(decisionKey, chunk).forEach(r -> out.put(r.requestId(), read(r)));
    }
    return out;
  }

  record Stored(String requestId, DecisionRecord record) {}

  private static DecisionRecord read(PolicyDecisionMapper.Row r) {
    return new DecisionRecord(r.decisionKey(), r.decisionDefinitionId(), r.decisionVersion() == null ? 0 : r.decisionVersion(),
        r.evaluatedAt(), parse(r.variables(), new TypeReference<Map<String, Object>>() {}),
        new ArrayList<>(parse(r.matchedRules(), new TypeReference<List<Rule>>() {})),
        parse(r.outputs(), new TypeReference<Map<String, Object>>() {}));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot record a policy decision: " + e.getOriginalMessage(), e);
    }
  }

  private static <T> T parse(String json, TypeReference<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A recorded policy decision is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
