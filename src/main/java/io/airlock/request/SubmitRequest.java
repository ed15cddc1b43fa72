package io.airlock.request;

/** What a requester asks for. Every field is checked by {@link RequestValidator}. */
public record SubmitRequest(
    String system,
    String target,
    String principal,
    String permission,
    String duration,
    String justification,
    String ticket) {}
