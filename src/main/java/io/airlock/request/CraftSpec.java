package io.airlock.request;

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

  /** The name the policy decisions see as "permission", e.g. {@code craft:S3_READ_ONLY}. */
  public static String permissionName(Template template) {
    return "craft:" + template.name();
  }
}
