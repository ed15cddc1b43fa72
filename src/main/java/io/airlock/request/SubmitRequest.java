package io.airlock.request;

/**
 * What a requester asks for. Every field is checked by {@link RequestValidator}. Either
 * {@code permission} (an existing permission set) or {@code craft} (a policy Airlock creates a
 * permission set for) is given, not both.
 */
public record SubmitRequest(
    String system,
    String target,
    String principal,
    String permission,
    String duration,
    String justification,
    String ticket,
    CraftSpec craft) {

  public SubmitRequest(String system, String target, String principal, String permission, String duration,
      String justification, String ticket) {
    this(system, target, principal, permission, duration, justification, ticket, null);
  }
}
