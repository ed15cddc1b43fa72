package io.airlock.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.audit.AuditEvent;
import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.request.Caller;
import io.airlock.request.ForbiddenActionException;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Policy as its authors read it (policy authors and admins; anyone else is refused): the decision
 * tables as deployed, row by row, with their version and who deployed them when; and what another
 * person may request (their catalog, with the groups the identity provider gives them).
 */
@Service
public class PolicyReading {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DeployedPolicy deployed;
  private final PolicyCatalog catalog;
  private final AuditLog audit;
  private final PolicyDecisions decisions;
  private final List<String> allowedGroups;

  PolicyReading(DeployedPolicy deployed, PolicyCatalog catalog, AuditLog audit, PolicyDecisions decisions,
      AirlockProperties properties) {
    this.deployed = deployed;
    this.catalog = catalog;
    this.audit = audit;
    this.decisions = decisions;
    this.allowedGroups = List.of(properties.groups().policyAuthors(), properties.groups().policyApprovers(),
        properties.groups().admins());
  }

  /** A deployed decision table: its inputs and outputs (labels), its rules, and where it came from. */
  public record Table(String key, String name, String hitPolicy, int version, Instant deployedAt, String deployedBy,
      String deploymentName, List<String> inputs, List<String> outputs, List<TableRule> rules) {

    Table withDeployedBy(String who) {
      return new Table(key, name, hitPolicy, version, deployedAt, who, deploymentName, inputs, outputs, rules);
    }
  }

  /** One row: its number, each input's entry ("-" for any), each output's entry, its annotation. */
  public record TableRule(int row, String id, List<String> inputEntries, List<String> outputEntries,
      String annotation) {}

  /** The scopes table and the auto-approval table as deployed now (their latest versions). */
  public List<Table> deployedTables(Caller caller) {
    require(caller, "read the deployed policy");
    return List.of(table(Decisions.ACCESS_SCOPES), table(Decisions.AUTO_APPROVAL));
  }

  /**
   * What {@code userName} may request for themselves: their catalog as {@link PolicyCatalog#forUser}
   * gives it, with the groups the identity provider has for them now. Empty when there is no such user.
   */
  public Optional<PolicyCatalog.Catalog> catalogOf(String userName, Caller caller) {
    require(caller, "look at another person's catalog");
    if (userName == null || userName.isBlank()) {
      return Optional.empty();
    }
    String id = userName.trim();
    Optional<Caller> person = deployed.person(id);
    return person.map(catalog::forUser);
  }

  /**
   * A past request as the scopes table saw it (what a simulation replays), for a policy author
   * who may not open the request itself: permission, account, principal, duration, when.
   */
  public record Judged(String requestId, String permission, String target, String targetName, String principal,
      String durationText, Instant evaluatedAt) {}

  /** The requests as judged, by id (a request never judged is left out). */
  public Map<String, Judged> asJudged(List<String> requestIds, Caller caller) {
    require(caller, "read past requests as policy judged them");
    Map<String, Judged> out = new java.util.LinkedHashMap<>();
    for (String id : requestIds) {
      decisions.forRequest(id).stream().filter(d -> Decisions.ACCESS_SCOPES.equals(d.decision())).findFirst()
          .ifPresent(d -> out.put(id, new Judged(id, text(d.inputs().get("permission")),
              text(d.inputs().get("target")), text(d.inputs().get("targetName")), text(d.inputs().get("principal")),
              text(d.inputs().get("durationText")), d.evaluatedAt())));
    }
    return out;
  }

  private static String text(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  private void require(Caller caller, String what) {
    if (caller == null || !caller.inAnyGroup(allowedGroups)) {
      audit.refused(caller == null ? null : caller.userId(), "refused.policy-read", null,
          Map.of("reason", "not a policy author", "wanted", what));
      throw new ForbiddenActionException("Only policy authors (" + String.join(", ", allowedGroups) + ") may " + what);
    }
  }

  private Table table(String key) {
    DeployedPolicy.Deployed d = deployed.latest(key);
    return d.table().withDeployedBy(deployedBy(d.deploymentId()));
  }

  /**
   * Who deployed it: for an approved proposal, "pat (proposal 7, approved by quinn)" from its
   * {@code policy.in-force} entry; otherwise the actor of its {@code policy.deployed} entry; null
   * when not found among the recent ones.
   */
  private String deployedBy(String deploymentId) {
    JsonNode inForce = auditDetails("policy.in-force", deploymentId);
    if (inForce != null) {
      return inForce.path("author").asText("?") + " (proposal " + inForce.path("proposal").asText() + ", approved by "
          + inForce.path("approvedBy").asText("?") + ")";
    }
    JsonNode deployed = auditDetails("policy.deployed", deploymentId);
    return deployed == null ? null : deployed.path("actor").asText(null);
  }

  /** The details of the newest audit entry of {@code action} about the deployment, with its actor. */
  private JsonNode auditDetails(String action, String deploymentId) {
    long before = 0;
    for (int page = 0; page < 5; page++) {
      List<AuditEvent> events = audit.newest(new AuditLog.Newest(null, null, null, null, action, null,
          before, 100));
      for (AuditEvent e : events) {
        try {
          JsonNode details = JSON.readTree(e.details());
          if (deploymentId.equals(details.path("deploymentId").asText(null))) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) details).put("actor", e.actor());
            return details;
          }
        } catch (IOException unreadable) {
          // not this one
        }
      }
      if (events.size() < 100) {
        return null;
      }
      before = events.get(events.size() - 1).seq();
    }
    return null;
  }
}
