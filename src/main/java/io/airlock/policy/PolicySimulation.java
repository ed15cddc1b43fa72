package io.airlock.policy;

import io.airlock.config.AirlockProperties;
import io.airlock.request.AccessPolicy;
import io.airlock.request.Caller;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.InvalidRequestException.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Service;

/**
 * Replays the recorded inputs of the last requests against candidate decision tables (a scopes
 * table, an auto-approval table, or both) and reports what would change: outcomes that flip
 * ("14 requests would flip from MANUAL to APPROVE") and, per rule of each candidate, how many
 * requests it newly matches or no longer matches. A table not given is the recorded judgement
 * (or, for a request whose scope changes, the deployed auto-approval table). Nothing is
 * deployed, recorded or audited; only policy authors and admins may ask.
 */
@Service
public class PolicySimulation {

  public static final String OUT_OF_SCOPE = "OUT_OF_SCOPE";

  private static final Map<String, String> OUTCOME_WORDS = Map.of(
      "APPROVE", "approved at once",
      "MANUAL", "reviewed by an approver",
      "DENY", "denied",
      OUT_OF_SCOPE, "not allowed by any scope");

  /** An outcome as people say it: "approved at once", "reviewed by an approver", "denied", "not allowed by any scope". */
  public static String outcomeWords(String code) {
    return OUTCOME_WORDS.getOrDefault(code, code == null ? "" : code.toLowerCase(java.util.Locale.ROOT));
  }
  private static final int EXAMPLES = 10;

  private final DecisionTables tables;
  private final PolicyDecisions decisions;
  private final List<String> allowedGroups;
  private final int defaultLimit;
  private final int maxLimit;

  PolicySimulation(DecisionTables tables, PolicyDecisions decisions, AirlockProperties properties) {
    this.tables = tables;
    this.decisions = decisions;
    this.allowedGroups = List.of(properties.groups().policyAuthors(), properties.groups().admins());
    this.defaultLimit = properties.policy().simulationLimit();
    this.maxLimit = properties.policy().simulationMaxLimit();
  }

  /** What would change. */
  public record Report(int requests, int compared, int changed, long durationMs, Map<String, Long> timings,
      Map<String, Candidate> candidates,
      List<Flip> flips, List<RuleChange> rules, List<EvaluationError> errors, List<String> summary,
      List<Flip> reviewers) {}

  /** A candidate table: its key, name and rule count. */
  public record Candidate(String decision, String name, int rules) {}

  /**
   * Requests whose outcome would go from {@code from} to {@code to}; the first few ids. In
   * {@code Report.reviewers}: requests still reviewed, by other approver groups ({@code from} and
   * {@code to} are the groups, comma-separated).
   */
  public record Flip(String from, String to, int count, List<String> requestIds) {}

  /** A rule of a candidate table: how many of the replayed requests it matched before and would now. */
  public record RuleChange(String decision, String ruleId, int row, String description, int matchedBefore,
      int matchedAfter, int newlyMatches, int noLongerMatches) {}

  /** A request the candidate could not evaluate, and why. */
  public record EvaluationError(String requestId, String decision, String message) {}

  /**
   * Simulates the candidate DMN files against the last {@code limit} requests (null: the
   * configured default). 400 naming the problem for a file that is no DMN or defines neither table.
   */
  public Report simulate(Caller caller, List<byte[]> files, Integer limit) {
    if (caller == null || !caller.inAnyGroup(allowedGroups)) {
      throw new ForbiddenActionException("Only policy authors (" + String.join(", ", allowedGroups)
          + ") may simulate policy");
    }
    int n = limit == null ? defaultLimit : limit;
    if (n < 1 || n > maxLimit) {
      throw new InvalidRequestException(List.of(new FieldError("limit", "must be between 1 and " + maxLimit)));
    }
    long t0 = System.nanoTime();
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu0 = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    Map<String, DecisionTables.Table> candidates = candidates(files);
    Map<String, Long> timings = new LinkedHashMap<>();
    timings.put("parseMs", (System.nanoTime() - t0) / 1_000_000);
    Report report = replay(candidates, n, timings);
    if (report.compared() == 0 && !report.errors().isEmpty()) {
      EvaluationError e = report.errors().get(0);
      throw new InvalidRequestException(List.of(new FieldError("file", "decision '" + e.decision()
          + "' cannot be evaluated on any recorded request: " + e.message())));
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (cpu0 >= 0) {
      timings.put("cpuMs", (threads.getCurrentThreadCpuTime() - cpu0) / 1_000_000); // what it costs, whatever the load
    }
    return new Report(report.requests(), report.compared(), report.changed(), ms, timings, report.candidates(),
        report.flips(),
        report.rules(), report.errors(), report.summary(), report.reviewers());
  }

  /**
   * A proposal's tables against the configured number of last requests, for its reviewers
   * (Airlock asks, not a person): null when no file defines a table Airlock evaluates.
   */
  Report forProposal(List<byte[]> files) {
    Map<String, DecisionTables.Table> candidates;
    try {
      candidates = candidates(files);
    } catch (InvalidRequestException e) {
      return null;
    }
    return replay(candidates, defaultLimit, new LinkedHashMap<>());
  }

  private Map<String, DecisionTables.Table> candidates(List<byte[]> files) {
    if (files == null || files.isEmpty() || files.stream().allMatch(f -> f == null || f.length == 0)) {
      throw new InvalidRequestException(List.of(new FieldError("file",
          "is required: a DMN file with the decision '" + Decisions.ACCESS_SCOPES + "' and/or '"
              + Decisions.AUTO_APPROVAL + "' (multipart part 'file', or the XML as the body)")));
    }
    Map<String, DecisionTables.Table> out = new LinkedHashMap<>();
    List<FieldError> errors = new ArrayList<>();
    List<String> found = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String field = files.size() == 1 ? "file" : "file[" + i + "]";
      try {
        Map<String, DecisionTables.Table> parsed = tables.parse(files.get(i));
        found.addAll(parsed.keySet());
        for (String key : List.of(Decisions.ACCESS_SCOPES, Decisions.AUTO_APPROVAL)) {
          if (parsed.containsKey(key)) {
            if (out.put(key, parsed.get(key)) != null) {
              errors.add(new FieldError(field, "defines '" + key + "' a second time"));
            }
          }
        }
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError(field, e.getMessage()));
      }
    }
    if (errors.isEmpty() && out.isEmpty()) {
      errors.add(new FieldError("file", "defines no decision table '" + Decisions.ACCESS_SCOPES + "' or '"
          + Decisions.AUTO_APPROVAL + "' (found: " + (found.isEmpty() ? "none" : String.join(", ", found)) + ")"));
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors);
    }
    return out;
  }

  private Report replay(Map<String, DecisionTables.Table> candidates, int limit, Map<String, Long> timings) {
    long t0 = System.nanoTime();
    DecisionTables.Table scopesCandidate = candidates.get(Decisions.ACCESS_SCOPES);
    DecisionTables.Table approvalCandidate = candidates.get(Decisions.AUTO_APPROVAL);
    List<PolicyDecisions.Stored> scoped = decisions.latest(Decisions.ACCESS_SCOPES, limit);
    Map<String, PolicyDecisions.DecisionRecord> approvals = decisions.forRequests(Decisions.AUTO_APPROVAL,
        scoped.stream().map(PolicyDecisions.Stored::requestId).toList());
    DecisionTables.Table deployedApproval = null;
    long t1 = System.nanoTime();
    timings.put("loadMs", (t1 - t0) / 1_000_000);

    Map<String, Map<String, int[]>> ruleCounts = new LinkedHashMap<>(); // decision -> rule -> before, after, new, gone
    candidates.forEach((key, table) -> {
      Map<String, int[]> m = new LinkedHashMap<>();
      table.rules().forEach(r -> m.put(r.id(), new int[4]));
      ruleCounts.put(key, m);
    });
    Map<String, List<String>> flips = new TreeMap<>();
    Map<String, List<String>> reviewerChanges = new TreeMap<>();
    List<EvaluationError> errors = new ArrayList<>();
    int errorCount = 0;
    int compared = 0;
    int changed = 0;
    for (PolicyDecisions.Stored s : scoped) {
      PolicyDecisions.DecisionRecord scopeRecord = s.record();
      PolicyDecisions.DecisionRecord approvalRecord = approvals.get(s.requestId());
      String before = outcome(scopeRecord.outputs(), scopeRecord.inputs(), approvalRecord);
      if (before == null) {
        continue; // decided no further than the scope (still running): nothing to compare
      }
      String decision = null;
      try {
        Map<String, Object> scopeOut = scopeRecord.outputs();
        boolean scopeChanged = false;
        if (scopesCandidate != null) {
          decision = Decisions.ACCESS_SCOPES;
          DecisionTables.Result r = tables.evaluate(scopesCandidate, scopeRecord.inputs());
          count(ruleCounts.get(Decisions.ACCESS_SCOPES), firstRule(scopeRecord), r.matchedRuleIds());
          scopeOut = r.outputs();
          scopeChanged = !same(scopeOut, scopeRecord.outputs());
        }
        String after;
        AccessPolicy.Scope scope = PolicyInputs.scope(scopeOut);
        if (scope == null || (!Boolean.TRUE.equals(scopeRecord.inputs().get("principalIsRequester"))
            && !scope.mayRequestForOthers())) {
          after = OUT_OF_SCOPE;
        } else {
          Map<String, Object> in = approvalRecord != null && !scopeChanged ? approvalRecord.inputs()
              : PolicyInputs.withScope(scopeRecord.inputs(), scope.name(), scope.maxDurationMinutes());
          if (approvalCandidate != null) {
            decision = Decisions.AUTO_APPROVAL;
            DecisionTables.Result r = tables.evaluate(approvalCandidate, in);
            count(ruleCounts.get(Decisions.AUTO_APPROVAL), approvalRecord == null ? null : firstRule(approvalRecord),
                r.matchedRuleIds());
            after = approvalOutcome(r.outputs());
          } else if (approvalRecord != null && !scopeChanged) {
            after = approvalOutcome(approvalRecord.outputs());
          } else {
            decision = Decisions.AUTO_APPROVAL;
            deployedApproval = deployedApproval != null ? deployedApproval : tables.latest(Decisions.AUTO_APPROVAL);
            after = approvalOutcome(tables.evaluate(deployedApproval, in).outputs());
          }
        }
        compared++;
        if (!before.equals(after)) {
          changed++;
          flips.computeIfAbsent(before + " " + after, k -> new ArrayList<>()).add(s.requestId());
        } else if (scopeChanged && AccessPolicy.Approval.MANUAL.equals(after)) {
          AccessPolicy.Scope was = PolicyInputs.scope(scopeRecord.outputs());
          List<String> groupsBefore = was == null ? List.of() : was.approverGroups();
          if (!new java.util.TreeSet<>(groupsBefore).equals(new java.util.TreeSet<>(scope.approverGroups()))) {
            changed++;
            reviewerChanges.computeIfAbsent(String.join(",", groupsBefore) + " " + String.join(",",
                scope.approverGroups()), k -> new ArrayList<>()).add(s.requestId());
          }
        }
      } catch (RuntimeException e) {
        if (errorCount++ < EXAMPLES) {
          errors.add(new EvaluationError(s.requestId(), decision, DecisionTables.rootMessage(e)));
        }
      }
    }

    timings.put("replayMs", (System.nanoTime() - t1) / 1_000_000);
    List<Flip> flipList = new ArrayList<>();
    flips.forEach((k, ids) -> {
      String[] fromTo = k.split(" ");
      flipList.add(new Flip(fromTo[0], fromTo[1], ids.size(), ids.subList(0, Math.min(EXAMPLES, ids.size()))));
    });
    flipList.sort((a, b) -> Integer.compare(b.count(), a.count()));
    List<Flip> reviewerList = new ArrayList<>();
    reviewerChanges.forEach((k, ids) -> {
      String[] fromTo = k.split(" ", -1);
      reviewerList.add(new Flip(fromTo[0], fromTo[1], ids.size(), ids.subList(0, Math.min(EXAMPLES, ids.size()))));
    });
    List<RuleChange> rules = new ArrayList<>();
    List<String> summary = new ArrayList<>();
    for (Flip f : flipList) {
      summary.add(f.count() + (f.count() == 1 ? " request" : " requests") + " would flip from " + f.from() + " to "
          + f.to());
    }
    for (Flip f : reviewerList) {
      summary.add(f.count() + (f.count() == 1 ? " request" : " requests") + " would be reviewed by " + f.to()
          + " instead of " + f.from());
    }
    candidates.forEach((key, table) -> table.rules().forEach(r -> {
      int[] c = ruleCounts.get(key).get(r.id());
      rules.add(new RuleChange(key, r.id(), r.row(), r.description(), c[0], c[1], c[2], c[3]));
      if (c[2] > 0) {
        summary.add(key + " rule " + r.row() + " (" + r.id() + ") newly matches " + c[2]);
      }
      if (c[3] > 0) {
        summary.add(key + " rule " + r.row() + " (" + r.id() + ") no longer matches " + c[3]);
      }
    }));
    if (changed == 0 && errorCount == 0) {
      summary.add("No outcome would change in " + compared + " requests");
    }
    if (errorCount > 0) {
      summary.add(errorCount + " requests could not be evaluated with the candidate (see errors)");
    }
    Map<String, Candidate> described = new LinkedHashMap<>();
    candidates.forEach((k, t) -> described.put(k, new Candidate(k, t.name(), t.rules().size())));
    return new Report(scoped.size(), compared, changed, 0, timings, described, flipList, rules, errors, summary,
        reviewerList);
  }

  /** before, after, newly, no longer: counted on the first matching rule, as the FIRST hit policy decides. */
  private static void count(Map<String, int[]> counts, String recordedRule, List<String> matched) {
    String now = matched.isEmpty() ? null : matched.get(0);
    if (recordedRule != null && counts.containsKey(recordedRule)) {
      counts.get(recordedRule)[0]++;
      if (!recordedRule.equals(now)) {
        counts.get(recordedRule)[3]++;
      }
    }
    if (now != null && counts.containsKey(now)) {
      counts.get(now)[1]++;
      if (!now.equals(recordedRule)) {
        counts.get(now)[2]++;
      }
    }
  }

  private static String firstRule(PolicyDecisions.DecisionRecord r) {
    return r.matchedRules().isEmpty() ? null : r.matchedRules().get(0).ruleId();
  }

  /** The recorded outcome; null when the request was in scope but never got to auto-approval. */
  private static String outcome(Map<String, Object> scopeOutputs, Map<String, Object> inputs,
      PolicyDecisions.DecisionRecord approval) {
    AccessPolicy.Scope scope = PolicyInputs.scope(scopeOutputs);
    if (scope == null || (!Boolean.TRUE.equals(inputs.get("principalIsRequester")) && !scope.mayRequestForOthers())) {
      return OUT_OF_SCOPE;
    }
    return approval == null ? null : approvalOutcome(approval.outputs());
  }

  private static String approvalOutcome(Map<String, Object> outputs) {
    Object o = outputs.get("approvalOutcome");
    return o == null ? AccessPolicy.Approval.MANUAL : String.valueOf(o);
  }

  /** Same outputs, numbers compared by value (a recorded 480 may come back as an Integer). */
  private static boolean same(Map<String, Object> a, Map<String, Object> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (String k : a.keySet()) {
      Object x = a.get(k);
      Object y = b.get(k);
      if (x instanceof Number nx && y instanceof Number ny) {
        if (nx.longValue() != ny.longValue()) {
          return false;
        }
      } else if (!java.util.Objects.equals(x, y)) {
        return false;
      }
    }
    return true;
  }
}
