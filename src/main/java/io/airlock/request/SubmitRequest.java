package io.airlock.request;

/**
 * What a requester asks for. Every field is checked by {@link RequestValidator}. Either
 * {@code permission} (an existing permission set) or {@code craft} (a policy Airlock creates a
 * permission set for) is given, not both. {@code startAt} (ISO-8601 instant, optional): grant at
 * that time, not at approval. {@code breakGlass}: grant at once where the scope allows it, and
 * have an approver review it afterwards.
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
    String startAt,
    Boolean breakGlass) {

  public SubmitRequest(String system, String target, String principal, String permission, String duration,
      String justification, String ticket) {
    this(system, target, principal, permission, duration, justification, ticket, null, null, null);
  }

  public SubmitRequest(String system, String target, String principal, String permission, String duration,
      String justification, String ticket, CraftSpec craft) {
    this(system, target, principal, permission, duration, justification, ticket, craft, null, null);
  }
}
