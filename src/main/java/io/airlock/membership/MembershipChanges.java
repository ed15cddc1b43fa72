package io.airlock.membership;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.config.MetricsProperties;
import io.airlock.request.Caller;
import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.InvalidRequestException.FieldError;
import io.airlock.request.RequestNotFoundException;
import io.airlock.request.TextRules;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Nobody grants themselves Airlock's powers: who holds one of Airlock's groups
 * ({@code airlock.groups.*} and the monitoring group) changes only when one person asks and a
 * second one decides.
 * <ol>
 *   <li>{@link #request}: anybody signed in asks for a user to be added to or removed from one of
 *       Airlock's groups, with a reason ({@value #REQUESTED}); the review starts
 *       ({@code bpmn/group-membership-change.bpmn}, a task in Tasklist for the security group and
 *       the administrators);
 *   <li>{@link #review}: a member of the security group or an administrator who is neither the
 *       person who asked nor the person whose membership changes approves or denies it
 *       ({@value #APPROVED}, {@value #DENIED}; anybody else {@value #REFUSED_REVIEW});
 *   <li>{@link #apply}: only a change recorded as approved here reaches the user store, as Airlock
 *       itself ({@value #CHANGED}); whatever the process or a variable says.
 * </ol>
 */
@Service
public class MembershipChanges {

  public static final String REQUESTED = "membership.requested";
  public static final String APPROVED = "membership.approved";
  public static final String DENIED = "membership.denied";
  public static final String CHANGED = "membership.changed";
  public static final String REFUSED_REVIEW = "refused.membership-review";
  public static final String REFUSED_CHANGE = "refused.membership-change";

  private static final int MAX_REASON = 2000;

  private final MembershipChangeMapper mapper;
  private final UserStore users;
  private final MembershipReview reviews;
  private final AuditLog audit;
  private final Clock clock;
  private final AirlockProperties.Groups groups;
  private final Set<String> airlockGroups;
  private final ApplicationEventPublisher events;

  MembershipChanges(MembershipChangeMapper mapper, UserStore users, @Lazy MembershipReview reviews, AuditLog audit,
      Clock clock, AirlockProperties properties, MetricsProperties metrics, ApplicationEventPublisher events) {
    this.events = events;
    this.mapper = mapper;
    this.users = users;
    this.reviews = reviews;
    this.audit = audit;
    this.clock = clock;
    this.groups = properties.groups();
    Set<String> all = new LinkedHashSet<>(groups.byRole().values());
    all.add(metrics.group());
    this.airlockGroups = Set.copyOf(all);
  }

  /** Who reviews a change: the security group and the administrators (never the asker nor the user). */
  public List<String> reviewerGroups() {
    return List.of(groups.security(), groups.admins());
  }

  /** Files a change for review; nothing changes in the user store yet. */
  @Transactional
  public MembershipChange request(Caller caller, String user, String group, String change, String reason) {
    List<FieldError> errors = new ArrayList<>();
    if (user == null || user.isBlank()) {
      errors.add(new FieldError("user", "is required: whose membership changes"));
    } else if (!users.userExists(user)) {
      errors.add(new FieldError("user", "there is no user '" + user + "'"));
    }
    if (group == null || !airlockGroups.contains(group)) {
      errors.add(new FieldError("group", "must be one of Airlock's groups " + airlockGroups.stream().sorted().toList()));
    }
    if (!MembershipChange.ADD.equals(change) && !MembershipChange.REMOVE.equals(change)) {
      errors.add(new FieldError("change", "must be ADD or REMOVE"));
    }
    if (reason == null || reason.isBlank()) {
      errors.add(new FieldError("reason", "is required: why the change is needed (the reviewer reads it)"));
    } else if (reason.length() > MAX_REASON) {
      errors.add(new FieldError("reason", "is longer than " + MAX_REASON + " characters"));
    } else {
      TextRules.check("reason", reason).ifPresent(errors::add);
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors);
    }
    if (!users.writable()) {
      throw new ConflictingStateException("Airlock's groups are managed in the identity provider (Keycloak): ask "
          + "its administrators, whose own process reviews the change");
    }
    boolean member = users.isMember(user, group);
    if (MembershipChange.ADD.equals(change) && member) {
      throw new ConflictingStateException(user + " is in " + group + " already");
    }
    if (MembershipChange.REMOVE.equals(change) && !member) {
      throw new ConflictingStateException(user + " is not in " + group);
    }
    List<MembershipChange> pending = mapper.pending(user, group);
    if (!pending.isEmpty()) {
      throw new ConflictingStateException("A change of " + user + " in " + group + " waits for review already: "
          + pending.get(0).id());
    }
    MembershipChange filed = new MembershipChange(UUID.randomUUID().toString(), user, group, change, reason,
        caller.userId(), clock.instant(), MembershipChange.PENDING_REVIEW, null, null, null, null, null);
    mapper.insert(filed);
    Map<String, Object> details = details(filed);
    details.put("reviewers", reviewerGroups());
    audit.record(caller.userId(), REQUESTED, null, details);
    String instance = reviews.start(filed, reviewerGroups());
    mapper.bind(filed.id(), instance);
    MembershipChange stored = mapper.find(filed.id());
    events.publishEvent(new MembershipChangeEvent(stored, reviewerGroups()));
    return stored;
  }

  /** The change as its asker, its user, a reviewer or an auditor sees it. */
  public MembershipChange get(Caller caller, String id) {
    MembershipChange c = mapper.find(id);
    if (c == null || !(caller.userId().equals(c.requestedBy()) || caller.userId().equals(c.userId())
        || caller.inAnyGroup(List.of(groups.security(), groups.admins(), groups.auditors())))) {
      throw new RequestNotFoundException("No membership change " + id + " that you may see", true);
    }
    return c;
  }

  /**
   * Records the decision of the person completing the review task; returns whether it was
   * approved. Refused (and audited) for the asker, the user whose membership changes, anyone
   * outside the security group and the administrators, and a change decided already.
   */
  public boolean review(String id, Caller reviewer, String outcome, String comment) {
    MembershipChange c = id == null ? null : mapper.lock(id);
    String actor = reviewer == null ? null : reviewer.userId();
    if (c == null) {
      refuse(actor, id, null, "there is no such membership change");
    }
    if (!MembershipChange.PENDING_REVIEW.equals(c.status())) {
      throw new ConflictingStateException("The membership change " + id + " (" + c.summary() + ") is "
          + c.status() + " already");
    }
    if (reviewer == null) {
      refuse(null, id, c, "a review needs a signed-in person");
    }
    if (reviewer.userId().equals(c.requestedBy())) {
      refuse(actor, id, c, "nobody reviews a membership change they asked for");
    }
    if (reviewer.userId().equals(c.userId())) {
      refuse(actor, id, c, "nobody decides their own membership");
    }
    if (!reviewer.inAnyGroup(reviewerGroups())) {
      refuse(actor, id, c, "only members of " + groups.security() + " or " + groups.admins()
          + " review membership changes");
    }
    boolean approve = "APPROVE".equals(outcome);
    if (!approve && !"DENY".equals(outcome)) {
      throw new InvalidRequestException(List.of(new FieldError("membershipOutcome", "must be APPROVE or DENY")));
    }
    if (comment != null) {
      TextRules.check("membershipComment", comment).ifPresent(e -> {
        throw new InvalidRequestException(List.of(e));
      });
    }
    String status = approve ? MembershipChange.APPROVED : MembershipChange.DENIED;
    mapper.decide(id, status, reviewer.userId(), clock.instant(), comment);
    Map<String, Object> details = details(c);
    details.put("requestedBy", c.requestedBy());
    if (comment != null && !comment.isBlank()) {
      details.put("comment", comment);
    }
    audit.record(reviewer.userId(), approve ? APPROVED : DENIED, null, details);
    if (!approve) {
      events.publishEvent(new MembershipChangeEvent(mapper.find(id), reviewerGroups()));
    }
    return approve;
  }

  /**
   * Applies an approved change to the user store, as Airlock itself. The stored decision is the
   * gate: a change that is not recorded as approved by a second person changes nothing.
   */
  public void apply(String id) {
    MembershipChange c = id == null ? null : mapper.lock(id);
    if (c == null || !MembershipChange.APPROVED.equals(c.status()) || c.decidedBy() == null
        || c.decidedBy().equals(c.requestedBy()) || c.decidedBy().equals(c.userId())) {
      Map<String, Object> details = c == null ? new LinkedHashMap<>() : details(c);
      details.put("id", String.valueOf(id));
      details.put("reason", "the change is not recorded as approved by a second person");
      audit.refused(null, REFUSED_CHANGE, null, details);
      throw new ForbiddenActionException("The membership change " + id + " is not approved by a second person: "
          + "nothing changes");
    }
    users.apply(c.userId(), c.groupId(), MembershipChange.ADD.equals(c.change()));
    mapper.changed(id, clock.instant());
    Map<String, Object> details = details(c);
    details.put("requestedBy", c.requestedBy());
    details.put("approvedBy", c.decidedBy());
    audit.record(io.airlock.request.RequestService.SYSTEM_ACTOR, CHANGED, null, details);
    events.publishEvent(new MembershipChangeEvent(mapper.find(id), reviewerGroups()));
  }

  private void refuse(String actor, String id, MembershipChange c, String reason) {
    Map<String, Object> details = c == null ? new LinkedHashMap<>() : details(c);
    details.put("id", String.valueOf(id));
    details.put("reason", reason);
    audit.refused(actor, REFUSED_REVIEW, null, details);
    throw new ForbiddenActionException("Refused: " + reason + (c == null ? "" : " (" + c.summary() + ")"));
  }

  private static Map<String, Object> details(MembershipChange c) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("id", c.id());
    details.put("user", c.userId());
    details.put("group", c.groupId());
    details.put("change", c.change());
    details.put("reason", c.reason());
    return details;
  }
}
