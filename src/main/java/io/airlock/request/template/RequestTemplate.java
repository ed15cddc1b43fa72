package io.airlock.request.template;

import java.time.Instant;

/** A named set of request values a user saved; an empty principal means the user at filing time. */
public record RequestTemplate(String id, String owner, String name, String system, String target, String principal,
    String permission, String duration, String justification, String ticket, Instant createdAt) {}
