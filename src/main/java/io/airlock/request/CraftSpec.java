package io.airlock.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * A request for a least-privilege policy instead of an existing permission set: one of the
 * templates with its parameters, or a custom IAM policy document.
 *
 * @param template S3_READ_ONLY (needs buckets), SERVICES_READ_ONLY (needs services) or CUSTOM (needs policy)
 */
public record CraftSpec(String template, List<String> buckets, List<String> services, String policy) {

  public enum Template { S3_READ_ONLY, SERVICES_READ_ONLY, CUSTOM }

  public CraftSpec {
    buckets = buckets == null ? List.of() : buckets.stream().map(b -> b == null ? "" : b.trim()).toList();
    services = services == null ? List.of() : services.stream().map(s -> s == null ? "" : s.trim()).toList();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** As stored with a request or template, so that it can be filed again as it was given. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A craft spec did not serialize", e);
    }
  }

  /** The stored spec, or null for none. */
  public static CraftSpec fromJson(String json) {
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      return JSON.readValue(json, CraftSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A stored craft spec is unreadable", e);
    }
  }

  /** The name the policy decisions see as "permission", e.g. {@code craft:S3_READ_ONLY}. */
  public static String permissionName(Template template) {
    return "craft:" + template.name();
  }
}
