package io.airlock.policy;

import java.util.List;
import java.util.Map;

/**
 * Decision tables evaluated for answers that decide nothing: the catalog and the simulation. No
 * history, no audit entry, no record: only the request's own evaluation in the process is the
 * decision. The DMN engine behind it lives with the process engine
 * ({@code io.airlock.process.policy.DmnDecisionTables}).
 */
public interface DecisionTables {

  /**
   * A parsed decision table: its key, name, deployed definition (null for a file not deployed),
   * its rules in order, and what the DMN engine parsed (opaque here: only {@link #evaluate} reads it).
   */
  record Table(String key, String name, String definitionId, Integer version, Object parsed, List<RuleInfo> rules) {}

  /** A rule: its id, its row (1 = first), its annotation. */
  record RuleInfo(String id, int row, String description) {}

  /** What a table answered: the first row's outputs (empty when nothing matched), every matched rule id. */
  record Result(Map<String, Object> outputs, List<String> matchedRuleIds) {}

  /** The latest deployed version of the table {@code key}; throws when none is deployed. */
  Table latest(String key);

  /**
   * The decision tables of a DMN file, by key. Throws {@link IllegalArgumentException} naming
   * the problem when the file is not a DMN model the engine can evaluate.
   */
  Map<String, Table> parse(byte[] xml);

  /** Evaluates the table on the variables. */
  Result evaluate(Table table, Map<String, Object> variables);

  /** The innermost message of a failure, which names what is wrong. */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    String message = e.getMessage();
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    return message;
  }
}
