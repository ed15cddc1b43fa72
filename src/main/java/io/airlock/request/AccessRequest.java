package io.airlock.request;

import java.time.Instant;

/**
 * A request for temporary access, as stored in Airlock's table. The process carries only its
 * id (the business key); delegates read the facts from here, so a variable changed through
 * the engine API cannot change what is granted.
 */
public class AccessRequest implements Cloneable {

  private String id;
  private String system;
  private String target;
  private String principal;
  private String principalId;
  private String permission;
  private String permissionSetArn;
  private String duration;
  private String justification;
  private String ticket;
  private String requester;
  private RequestStatus status;
  private String scopeName;
  private String approverGroups;
  private String decisionOutcome;
  private String decisionReason;
  private String reviewer;
  private String reviewComment;
  private Instant reviewedAt;
  private Instant grantStart;
  private Instant grantEnd;
  private Instant revokedAt;
  private Instant createdAt;
  private Instant updatedAt;
  private String craftTemplate;
  private String craftPolicy;
  private String processInstanceId;
  private String requesterGroups;
  private Long maxDurationMinutes;
  private String reviewOutcome;
  private String revokeRequestedBy;
  private Instant revokeRequestedAt;
  private String revokeReason;
  private String supersedes;
  private String supersededBy;
  private String changedBy;
  private Instant chainStart;
  private Integer approvalsRequired;
  private Instant startAt;
  private String escalationGroup;
  private Boolean breakGlass;
  private String craftSpec;
  private Instant extendsEnd;
  private String extendBy;

  /** A shallow copy (every field is immutable): a snapshot for events and listeners. */
  public AccessRequest copy() {
    try {
      return (AccessRequest) clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether Airlock creates a permission set for this request (craft) instead of using one. */
  public boolean isCrafted() {
    return craftTemplate != null;
  }

  /**
   * The request's values as a requester would submit them again: what a clone, an edit, a rework
   * or a saved template starts from. A crafted request carries its craft parameters, not a
   * permission set name.
   */
  public SubmitRequest submitValues() {
    CraftSpec craft = CraftSpec.fromJson(craftSpec);
    return new SubmitRequest(system, target, principal, craft == null ? permission : null, duration, justification,
        ticket, craft);
  }

  public java.time.Duration parsedDuration() {
    return java.time.Duration.parse(duration);
  }

  /**
   * What this request extends, when it is an extension of live access ("extend live access from
   * 14:30 to 15:12, +42 min"); null for any other request.
   */
  public Extension extension() {
    if (extendsEnd == null || extendBy == null) {
      return null;
    }
    java.time.Duration by = java.time.Duration.parse(extendBy);
    return new Extension(supersedes, extendsEnd, extendsEnd.plus(by), by);
  }

  /**
   * When access granted at {@code start} ends: an extension at the end it asked for (the end
   * of what it extends plus its time, as policy judged it, however long its review took); any
   * other request {@code start} plus its duration. Never after {@link #latestEnd}: a rework or
   * extension of live access ends at the latest at its scope's maximum counted from the first
   * grant, however long its review took and whatever other extensions were approved meanwhile.
   */
  public Instant endFrom(Instant start) {
    Extension e = extension();
    Instant end = e != null ? e.to() : start.plus(parsedDuration());
    Instant latest = latestEnd();
    return latest != null && end.isAfter(latest) ? latest : end;
  }

  /**
   * The latest end of a rework or extension of live access: its first grant's start
   * ({@code chainStart}) plus its scope's maximum; null for a first request (its duration counts
   * from its own grant, bounded by policy) or when policy names no maximum.
   */
  public Instant latestEnd() {
    if (chainStart == null || maxDurationMinutes == null || maxDurationMinutes <= 0) {
      return null;
    }
    return chainStart.plus(java.time.Duration.ofMinutes(maxDurationMinutes));
  }

  /**
   * An extension of live access: request {@code extendsRequest} ends at {@code from}; this one
   * would hold the same access until {@code to}, {@code by} more.
   */
  public record Extension(String extendsRequest, Instant from, Instant to, java.time.Duration by) {

    /** "extend live access from 14:30 UTC to 15:12 UTC (+42 min)", times as people read them in {@code zone}. */
    public String describe(java.time.ZoneId zone, Instant now) {
      return "extend live access from " + RequestLabels.time(from, now, zone) + " to " + RequestLabels.time(to, now, zone)
          + " (+" + RequestLabels.human(by) + ")";
    }
  }

  public String getId() { return id; }
  public void setId(String id) { this.id = id; }
  public String getSystem() { return system; }
  public void setSystem(String system) { this.system = system; }
  public String getTarget() { return target; }
  public void setTarget(String target) { this.target = target; }
  public String getPrincipal() { return principal; }
  public void setPrincipal(String principal) { this.principal = principal; }
  public String getPrincipalId() { return principalId; }
  public void setPrincipalId(String principalId) { this.principalId = principalId; }
  public String getPermission() { return permission; }
  public void setPermission(String permission) { this.permission = permission; }
  public String getPermissionSetArn() { return permissionSetArn; }
  public void setPermissionSetArn(String permissionSetArn) { this.permissionSetArn = permissionSetArn; }
  public String getDuration() { return duration; }
  public void setDuration(String duration) { this.duration = duration; }
  public String getJustification() { return justification; }
  public void setJustification(String justification) { this.justification = justification; }
  public String getTicket() { return ticket; }
  public void setTicket(String ticket) { this.ticket = ticket; }
  public String getRequester() { return requester; }
  public void setRequester(String requester) { this.requester = requester; }
  public RequestStatus getStatus() { return status; }
  public void setStatus(RequestStatus status) { this.status = status; }
  public String getScopeName() { return scopeName; }
  public void setScopeName(String scopeName) { this.scopeName = scopeName; }
  public String getApproverGroups() { return approverGroups; }
  public void setApproverGroups(String approverGroups) { this.approverGroups = approverGroups; }
  public String getDecisionOutcome() { return decisionOutcome; }
  public void setDecisionOutcome(String decisionOutcome) { this.decisionOutcome = decisionOutcome; }
  public String getDecisionReason() { return decisionReason; }
  public void setDecisionReason(String decisionReason) { this.decisionReason = decisionReason; }
  public String getReviewer() { return reviewer; }
  public void setReviewer(String reviewer) { this.reviewer = reviewer; }
  public String getReviewComment() { return reviewComment; }
  public void setReviewComment(String reviewComment) { this.reviewComment = reviewComment; }
  public Instant getReviewedAt() { return reviewedAt; }
  public void setReviewedAt(Instant reviewedAt) { this.reviewedAt = reviewedAt; }
  public Instant getGrantStart() { return grantStart; }
  public void setGrantStart(Instant grantStart) { this.grantStart = grantStart; }
  public Instant getGrantEnd() { return grantEnd; }
  public void setGrantEnd(Instant grantEnd) { this.grantEnd = grantEnd; }
  public Instant getRevokedAt() { return revokedAt; }
  public void setRevokedAt(Instant revokedAt) { this.revokedAt = revokedAt; }
  public Instant getCreatedAt() { return createdAt; }
  public void setCreatedAt(Instant createdAt) { this.createdAt = createdAt; }
  public Instant getUpdatedAt() { return updatedAt; }
  public void setUpdatedAt(Instant updatedAt) { this.updatedAt = updatedAt; }
  public String getCraftTemplate() { return craftTemplate; }
  public void setCraftTemplate(String craftTemplate) { this.craftTemplate = craftTemplate; }
  public String getCraftSpec() { return craftSpec; }
  public void setCraftSpec(String craftSpec) { this.craftSpec = craftSpec; }
  public String getCraftPolicy() { return craftPolicy; }
  public void setCraftPolicy(String craftPolicy) { this.craftPolicy = craftPolicy; }
  public String getProcessInstanceId() { return processInstanceId; }
  public void setProcessInstanceId(String processInstanceId) { this.processInstanceId = processInstanceId; }
  public String getRequesterGroups() { return requesterGroups; }
  public void setRequesterGroups(String requesterGroups) { this.requesterGroups = requesterGroups; }
  public Long getMaxDurationMinutes() { return maxDurationMinutes; }
  public void setMaxDurationMinutes(Long maxDurationMinutes) { this.maxDurationMinutes = maxDurationMinutes; }
  public String getReviewOutcome() { return reviewOutcome; }
  public void setReviewOutcome(String reviewOutcome) { this.reviewOutcome = reviewOutcome; }
  public String getRevokeRequestedBy() { return revokeRequestedBy; }
  public void setRevokeRequestedBy(String revokeRequestedBy) { this.revokeRequestedBy = revokeRequestedBy; }
  public Instant getRevokeRequestedAt() { return revokeRequestedAt; }
  public void setRevokeRequestedAt(Instant revokeRequestedAt) { this.revokeRequestedAt = revokeRequestedAt; }
  public String getRevokeReason() { return revokeReason; }
  public void setRevokeReason(String revokeReason) { this.revokeReason = revokeReason; }

  public String getSupersedes() { return supersedes; }
  public void setSupersedes(String supersedes) { this.supersedes = supersedes; }
  public String getSupersededBy() { return supersededBy; }
  public void setSupersededBy(String supersededBy) { this.supersededBy = supersededBy; }
  public String getChangedBy() { return changedBy; }
  public void setChangedBy(String changedBy) { this.changedBy = changedBy; }
  public Instant getChainStart() { return chainStart; }
  public void setChainStart(Instant chainStart) { this.chainStart = chainStart; }

  public Instant getExtendsEnd() { return extendsEnd; }
  public void setExtendsEnd(Instant extendsEnd) { this.extendsEnd = extendsEnd; }
  public String getExtendBy() { return extendBy; }
  public void setExtendBy(String extendBy) { this.extendBy = extendBy; }

  public Boolean getBreakGlass() { return breakGlass; }
  public void setBreakGlass(Boolean breakGlass) { this.breakGlass = breakGlass; }
  public String getEscalationGroup() { return escalationGroup; }
  public void setEscalationGroup(String escalationGroup) { this.escalationGroup = escalationGroup; }
  public Instant getStartAt() { return startAt; }
  public void setStartAt(Instant startAt) { this.startAt = startAt; }
  public Integer getApprovalsRequired() { return approvalsRequired; }
  public void setApprovalsRequired(Integer approvalsRequired) { this.approvalsRequired = approvalsRequired; }

  /** How many different approvers must approve (at least one). */
  public int quorum() {
    return approvalsRequired == null || approvalsRequired < 1 ? 1 : approvalsRequired;
  }

  /** The requester's groups at submission, as a list. */
  public java.util.List<String> requesterGroupList() {
    return splitList(requesterGroups);
  }

  /** The approver groups of the request's scope, as a list. */
  public java.util.List<String> approverGroupList() {
    return splitList(approverGroups);
  }

  private static java.util.List<String> splitList(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) {
      return java.util.List.of();
    }
    return java.util.Arrays.stream(commaSeparated.split("\\s*,\\s*")).filter(g -> !g.isBlank()).toList();
  }

  /** What the review form shows of a request: the process variables Airlock keeps as copies. */
  public java.util.Map<String, Object> displayed() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("requester", requester);
    m.put("principal", principal);
    m.put("target", target);
    m.put("permission", permission);
    m.put("duration", duration);
    m.put("justification", justification);
    m.put("ticket", ticket);
    m.put("craftPolicy", craftPolicy);
    return m;
  }
}
