package io.airlock.proposal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.proposal.PolicyProposal.Status;
import io.airlock.request.Caller;
import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.InvalidRequestException.FieldError;
import io.airlock.request.RequestNotFoundException;
import io.airlock.request.RequestService;
import io.airlock.request.StepUp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * Four eyes on policy: a model a policy author deploys (Camunda Modeler, the engine REST API)
 * is a proposal, not in force, until a member of the policy approvers who is not its author
 * approves it. The proposal's state lives in {@code policy_proposal} and only these use cases
 * move it; {@code bpmn/policy-proposal.bpmn} drives them (simulate, review in Tasklist, put in
 * force) but cannot skip them: putting a proposal in force needs its recorded approval, and a
 * proposal made against a policy that has changed since is superseded, never put in force over
 * the newer one. Every step is audited in its transaction; a refused review is audited too.
 */
@Service
public class PolicyProposals {

  public static final String PROPOSED = "policy.proposed";
  public static final String SIMULATED = "policy.proposal-simulated";
  public static final String APPROVED = "policy.proposal-approved";
  public static final String REJECTED = "policy.proposal-rejected";
  public static final String IN_FORCE = "policy.in-force";
  public static final String SUPERSEDED = "policy.proposal-superseded";
  public static final String EXPIRED = "policy.proposal-expired";
  public static final String REFUSED_REVIEW = "refused.proposal-review";
  public static final String REFUSED_IN_FORCE = "refused.policy-in-force";

  static final int COMMENT_MAX = 2000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProposalMapper mapper;
  private final ProposalEngine engine;
  private final ProposalSimulator simulator;
  private final AuditLog audit;
  private final Clock clock;
  private final ApplicationEventPublisher events;
  private final AirlockProperties.Groups groups;
  private final StepUp stepUp;

  PolicyProposals(ProposalMapper mapper, ProposalEngine engine, ProposalSimulator simulator, AuditLog audit,
      Clock clock, ApplicationEventPublisher events, AirlockProperties properties, StepUp stepUp) {
    this.stepUp = stepUp;
    this.mapper = mapper;
    this.engine = engine;
    this.simulator = simulator;
    this.audit = audit;
    this.clock = clock;
    this.events = events;
    this.groups = properties.groups();
  }

  /** Who may read proposals: their authors' group, the approvers, auditors, security and admins. */
  public List<String> readers() {
    return List.of(groups.policyAuthors(), groups.policyApprovers(), groups.auditors(), groups.security(),
        groups.admins());
  }

  /** The group whose members propose policy. */
  public String authorGroup() {
    return groups.policyAuthors();
  }

  /** The group whose members review proposals. */
  public String approverGroup() {
    return groups.policyApprovers();
  }

  /**
   * A policy author deployed {@code files} (already checked against the model rules) as the
   * engine's deployment {@code deploymentId}, which holds them but defines nothing: records the
   * proposal with the versions in force now, audits it and starts its review. Runs in the
   * deployment's transaction.
   */
  public long propose(Caller author, String deploymentId, String deploymentName, String source,
      List<ProposedFile> files) {
    if (author == null) {
      throw new ForbiddenActionException("A proposal has an author; Airlock's own models are deployed in force");
    }
    Set<String> keys = new LinkedHashSet<>();
    List<Map<String, Object>> described = new ArrayList<>();
    for (ProposedFile f : files) {
      List<String> definitions = f.definitionKeys();
      keys.addAll(definitions);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("name", f.name());
      d.put("sha256", f.sha256());
      d.put("definitions", definitions);
      described.add(d);
    }
    Map<String, Integer> baseline = new TreeMap<>(engine.versionsInForce(keys));
    ProposalMapper.NewProposal row = new ProposalMapper.NewProposal(author.userId(), clock.instant(), deploymentId,
        deploymentName, source, json(described), json(baseline));
    mapper.insert(row);
    long id = row.getId();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("proposal", id);
    details.put("deploymentId", deploymentId);
    details.put("name", deploymentName);
    details.put("source", source);
    details.put("resources", described);
    details.put("inForceWhenProposed", baseline);
    details.put("reviewedBy", groups.policyApprovers());
    audit.record(author.userId(), PROPOSED, null, details);
    String title = title(id, files);
    String list = String.join("\n", files.stream().map(f -> f.name() + " (SHA-256 " + f.sha256() + ")").toList());
    mapper.started(id, engine.startReview(id, author.userId(), title, list));
    return id;
  }

  /**
   * Replays the last requests against the proposal's decision tables and keeps the outcome
   * changes for its reviewers; returns them as sentences (what the review form shows).
   */
  public String simulate(long id) {
    PolicyProposal p = existing(id);
    List<ProposedFile> dmn = engine.files(p.deploymentId()).stream().filter(ProposedFile::isDmn).toList();
    ProposalSimulator.Simulation simulation = dmn.isEmpty() ? null : simulator.simulate(dmn);
    String text = describe(simulation, dmn.isEmpty());
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put("text", text);
    stored.put("result", simulation);
    mapper.simulated(id, json(stored));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("proposal", id);
    details.put("summary", text);
    if (simulation != null) {
      details.put("compared", simulation.compared());
      details.put("changed", simulation.changed());
      details.put("flips", simulation.flips());
    }
    audit.record(RequestService.SYSTEM_ACTOR, SIMULATED, null, details);
    publish(id, ProposalEvent.Kind.WAITING_FOR_REVIEW, text);
    return text;
  }

  /**
   * A policy approver's decision ({@code APPROVE} or {@code REJECT}, a reason required to
   * reject), from the review task of the proposal's own process instance. Refused (403, audited)
   * to anyone outside the policy approvers and to the proposal's author; 409 once decided.
   *
   * @return true when approved
   */
  public boolean review(long id, String processInstanceId, Caller reviewer, String decision, String comment) {
    PolicyProposal p = mapper.lock(id);
    if (p == null || processInstanceId == null || !processInstanceId.equals(p.processInstanceId())) {
      refuse(reviewer, id, "the task is not the review of policy proposal " + id);
      throw new ForbiddenActionException("This task is not the review of policy proposal " + id);
    }
    if (reviewer == null) {
      refuse(null, id, "nobody signed in");
      throw new ForbiddenActionException("Sign in to review policy proposal " + id);
    }
    if (!reviewer.groups().contains(groups.policyApprovers())) {
      refuse(reviewer, id, reviewer.userId() + " is not a member of " + groups.policyApprovers());
      throw new ForbiddenActionException("Only members of " + groups.policyApprovers()
          + " review policy proposals; " + reviewer.userId() + " is not one");
    }
    if (reviewer.userId().equals(p.author())) {
      refuse(reviewer, id, "the author may not review their own proposal");
      throw new ForbiddenActionException("You proposed policy proposal " + id + "; another member of "
          + groups.policyApprovers() + " reviews it");
    }
    if (p.state() != Status.PROPOSED) {
      throw new ConflictingStateException("Policy proposal " + id + " was already decided: "
          + p.status().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
    String d = decision == null ? "" : decision.trim().toUpperCase(Locale.ROOT);
    String why = comment == null ? null : comment.strip();
    List<FieldError> errors = new ArrayList<>();
    if (!d.equals("APPROVE") && !d.equals("REJECT")) {
      errors.add(new FieldError("proposalDecision", "must be APPROVE or REJECT"));
    }
    if (d.equals("REJECT") && (why == null || why.isEmpty())) {
      errors.add(new FieldError("proposalComment", "is required to reject: say why, the author reads it"));
    }
    if (why != null && why.length() > COMMENT_MAX) {
      errors.add(new FieldError("proposalComment", "must be at most " + COMMENT_MAX + " characters"));
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors);
    }
    boolean approve = d.equals("APPROVE");
    if (approve) {
      // like every approval: a second factor in the approver's sign-in, recently (with Keycloak)
      stepUp.requireForApproval(reviewer.userId(), REFUSED_REVIEW, "policy-proposal-" + id, "policy proposal " + id);
    }
    Status to = approve ? Status.APPROVED : Status.REJECTED;
    mapper.reviewed(id, to.name(), reviewer.userId(), clock.instant(), why == null || why.isEmpty() ? null : why);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("proposal", id);
    details.put("author", p.author());
    details.put("deploymentId", p.deploymentId());
    details.put("comment", why);
    audit.record(reviewer.userId(), approve ? APPROVED : REJECTED, null, details);
    publish(id, approve ? ProposalEvent.Kind.APPROVED : ProposalEvent.Kind.REJECTED, why);
    return approve;
  }

  /**
   * Puts an approved proposal in force: deploys its files as Airlock, so new requests are decided
   * by them. A proposal without a recorded approval is refused (audited; the step fails and
   * shows in Cockpit). When a definition it changes has a newer version in force than when it
   * was proposed, it is superseded instead: the approver approved a change to a policy that is
   * no longer the one in force.
   *
   * @return true when in force, false when superseded
   */
  public boolean putInForce(long id) {
    PolicyProposal p = mapper.lock(id);
    if (p == null || p.state() != Status.APPROVED) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("proposal", id);
      details.put("reason", p == null ? "no such proposal" : "it is " + p.status() + ", not approved");
      audit.refused(RequestService.SYSTEM_ACTOR, REFUSED_IN_FORCE, null, details);
      throw new ForbiddenActionException("Policy proposal " + id + " has no recorded approval; it is not put in force");
    }
    List<ProposedFile> files = engine.files(p.deploymentId());
    Map<String, Integer> then = read(p.baseline(), new TypeReference<Map<String, Integer>>() {});
    Map<String, Integer> now = new TreeMap<>(engine.versionsInForce(then.keySet()));
    List<String> changed = new ArrayList<>();
    then.forEach((key, version) -> {
      Integer current = now.get(key);
      if (current == null || !current.equals(version)) {
        changed.add(key + " (version " + version + " when proposed, " + current + " in force now)");
      }
    });
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("proposal", id);
    details.put("author", p.author());
    details.put("approvedBy", p.reviewer());
    if (!changed.isEmpty()) {
      String reason = "The policy in force changed after this proposal was made: " + String.join(", ", changed)
          + ". Propose the change again on top of the policy in force.";
      mapper.ended(id, Status.APPROVED.name(), Status.SUPERSEDED.name(), reason);
      details.put("reason", reason);
      audit.record(RequestService.SYSTEM_ACTOR, SUPERSEDED, null, details);
      publish(id, ProposalEvent.Kind.SUPERSEDED, reason);
      return false;
    }
    ProposalEngine.InForce deployed = engine.deploy(id, files);
    mapper.inForce(id, deployed.deploymentId(), clock.instant());
    details.put("deploymentId", deployed.deploymentId());
    details.put("definitions", deployed.definitions());
    audit.record(RequestService.SYSTEM_ACTOR, IN_FORCE, null, details);
    publish(id, ProposalEvent.Kind.IN_FORCE, String.join(", ", deployed.definitions()));
    return true;
  }

  /**
   * A policy approver decides on Airlock's API: the same review task completed as that person,
   * so the same guard decides. Refused (403, audited) for the author and non-approvers before
   * the task is touched; 409 when the proposal no longer waits.
   */
  public PolicyProposal decide(Caller reviewer, long id, String decision, String comment) {
    PolicyProposal p = existing(id);
    if (reviewer == null || !reviewer.groups().contains(groups.policyApprovers())) {
      refuse(reviewer, id, (reviewer == null ? "nobody" : reviewer.userId()) + " is not a member of "
          + groups.policyApprovers());
      throw new ForbiddenActionException("Only members of " + groups.policyApprovers() + " review policy proposals");
    }
    if (reviewer.userId().equals(p.author())) {
      refuse(reviewer, id, "the author may not review their own proposal");
      throw new ForbiddenActionException("You proposed policy proposal " + id + "; another member of "
          + groups.policyApprovers() + " reviews it");
    }
    if (p.state() != Status.PROPOSED) {
      throw new ConflictingStateException("Policy proposal " + id + " no longer waits for review: it is "
          + p.status().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
    if (p.processInstanceId() == null || !engine.completeReview(p.processInstanceId(), reviewer, decision, comment)) {
      throw new ConflictingStateException("Policy proposal " + id + " is still being simulated against past "
          + "requests; its review opens in a moment");
    }
    return existing(id);
  }

  /** Nobody reviewed the proposal in time: it expires; the policy in force stays. */
  public void expire(long id) {
    String reason = "Nobody reviewed it in time; propose it again if it is still wanted.";
    if (mapper.ended(id, Status.PROPOSED.name(), Status.EXPIRED.name(), reason) == 0) {
      return; // decided meanwhile
    }
    audit.record(RequestService.SYSTEM_ACTOR, EXPIRED, null, Map.of("proposal", id, "reason", reason));
    publish(id, ProposalEvent.Kind.EXPIRED, reason);
  }

  /**
   * The proposal's review process ended. When that was not one of its own ends (an admin
   * cancelled or deleted it in Cockpit or over the engine REST API) while the proposal still
   * waited, it ends EXPIRED with who did it: nothing of it is in force, and the author proposes
   * again if it is still wanted.
   */
  public void reviewEnded(long id, String actor) {
    String reason = "Its review was cancelled" + (actor == null ? "" : " by " + actor)
        + " before it was put in force; propose it again if it is still wanted.";
    int ended = mapper.ended(id, Status.PROPOSED.name(), Status.EXPIRED.name(), reason)
        + mapper.ended(id, Status.APPROVED.name(), Status.EXPIRED.name(), reason);
    if (ended == 0) {
      return; // decided, in force or ended on its own path
    }
    audit.record(actor == null ? RequestService.SYSTEM_ACTOR : actor, EXPIRED, null, Map.of("proposal", id,
        "reason", reason));
    publish(id, ProposalEvent.Kind.EXPIRED, reason);
  }

  /** The newest proposals, for people who may read them. */
  public List<PolicyProposal> newest(Caller caller, int limit) {
    mayRead(caller);
    return mapper.newest(Math.max(1, Math.min(limit, 200)));
  }

  /** One proposal, for people who may read them; 404 when there is none. */
  public PolicyProposal get(Caller caller, long id) {
    mayRead(caller);
    return existing(id);
  }

  /** The proposal of an engine deployment, or null (for the deploy hook's own audit). */
  public PolicyProposal byDeployment(String deploymentId) {
    return mapper.byDeployment(deploymentId);
  }

  /** The stored simulation text of a proposal, or null before it ran. */
  public static String simulationText(PolicyProposal p) {
    if (p.simulation() == null) {
      return null;
    }
    Map<String, Object> stored = read(p.simulation(), new TypeReference<Map<String, Object>>() {});
    Object text = stored.get("text");
    return text == null ? null : text.toString();
  }

  /** The files of a proposal as stored: name, SHA-256 and the definitions they hold. */
  public static List<Map<String, Object>> files(PolicyProposal p) {
    return read(p.files(), new TypeReference<List<Map<String, Object>>>() {});
  }

  /** "Policy proposal 7: dmn/auto-approval.dmn". */
  static String title(long id, List<ProposedFile> files) {
    List<String> names = files.stream().map(ProposedFile::name).toList();
    String shown = names.size() <= 3 ? String.join(", ", names)
        : String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " more";
    return "Policy proposal " + id + ": " + shown;
  }

  static String describe(ProposalSimulator.Simulation s, boolean noTables) {
    if (noTables) {
      return "This proposal changes no decision table, so past requests would be decided as they were. "
          + "Review the process model itself (open the deployment in Cockpit).";
    }
    if (s == null) {
      return "This proposal's decision tables are not the ones Airlock evaluates (access-scopes, auto-approval); "
          + "past requests would be decided as they were.";
    }
    StringBuilder b = new StringBuilder();
    if (s.compared() == 0) {
      b.append("No past request could be replayed against this proposal.");
    } else if (s.changed() == 0) {
      b.append("Replayed against the last ").append(s.compared()).append(" requests: every outcome stays the same.");
    } else {
      b.append("Replayed against the last ").append(s.compared()).append(" requests: ").append(s.changed())
          .append(s.changed() == 1 ? " outcome would change." : " outcomes would change.");
    }
    for (String line : s.summary()) {
      b.append("\n- ").append(line);
    }
    if (!s.errors().isEmpty()) {
      b.append("\n").append(s.errors().size()).append(" requests could not be evaluated with it, e.g. ")
          .append(s.errors().get(0));
    }
    return b.toString();
  }

  private void publish(long id, ProposalEvent.Kind kind, String summary) {
    events.publishEvent(new ProposalEvent(existing(id), kind, summary, groups.policyApprovers()));
  }

  private void mayRead(Caller caller) {
    if (caller == null || !caller.inAnyGroup(readers())) {
      throw new ForbiddenActionException("Only policy authors, policy approvers, auditors, security and admins ("
          + String.join(", ", readers()) + ") read policy proposals");
    }
  }

  private PolicyProposal existing(long id) {
    PolicyProposal p = mapper.find(id);
    if (p == null) {
      throw new RequestNotFoundException("There is no policy proposal " + id, true);
    }
    return p;
  }

  private void refuse(Caller reviewer, long id, String reason) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("proposal", id);
    details.put("reason", reason);
    audit.refused(reviewer == null ? null : reviewer.userId(), REFUSED_REVIEW, null, details);
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A stored proposal does not read: " + e.getOriginalMessage(), e);
    }
  }
}
