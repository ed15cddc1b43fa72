package io.airlock.request;

/**
 * What a requester asks for. Every field is checked by {@link RequestValidator}. Either
 * {@code permission} (an existing permission set) or {@code craft} (a policy Airlock creates a
 * permission set for) is given, not both. {@code startAt} (ISO-8601 instant, optional): grant at
 * that time, not at approval.
 */
public record SubmitRequest(
    String system,
    String target,
    String principal,
    String permission,
    String duration,
    String justification,
    String ticket,
    CraftSpec craft,
    String startAt) {

  public SubmitRequest(String system, String target, String principal, String permission, String duration,
      String justification, String ticket) {
    this(system, target, principal, permission, duration, justification, ticket, null, null);
  }

  public SubmitRequest(String system, String target, String principal, String permission, String duration,
      String justification, String ticket, CraftSpec craft) {
    this(system, target, principal, permission, duration, justification, ticket, craft, null);
  }
}
