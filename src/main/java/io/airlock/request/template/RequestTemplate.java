package io.airlock.request.template;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.request.CraftSpec;
import io.airlock.request.SubmitRequest;
import java.time.Instant;

/**
 * A named set of request values a user saved; an empty principal means the user at filing time.
 * Either {@code permission} or {@code craftSpec} (the craft parameters as JSON) is set.
 */
public record RequestTemplate(String id, String owner, String name, String system, String target, String principal,
    String permission, String duration, String justification, String ticket, Instant createdAt, @JsonIgnore String craftSpec) {

  /** The craft parameters of a template for a crafted policy, or null. */
  @JsonProperty("craft")
  public CraftSpec craft() {
    return CraftSpec.fromJson(craftSpec);
  }

  /** The values to file a request from; {@code principal} fills an empty one. */
  public SubmitRequest values(String principalIfEmpty) {
    return new SubmitRequest(system, target, principal == null ? principalIfEmpty : principal, permission, duration,
        justification, ticket, CraftSpec.fromJson(craftSpec));
  }
}
