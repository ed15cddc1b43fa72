package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an {@code aws} CLI profile for held access into the aws CLI's config file: a
 * {@code [profile NAME]} for the account and permission set, and the {@code [sso-session airlock]}
 * for the AWS access portal, as "My access" shows them. Sections of those names are replaced;
 * everything else in the file stays as it was.
 */
final class AwsProfile {

  private AwsProfile() {}

  /** The profile text for held access ({@code links} from {@code GET /api/access}). */
  static Map<String, List<String>> sections(String name, JsonNode request, JsonNode links) {
    Map<String, List<String>> s = new LinkedHashMap<>();
    s.put("profile " + name, List.of("sso_session = airlock", "sso_account_id = " + Words.text(request, "target"),
        "sso_role_name = " + Words.text(request, "permission"), "region = " + Words.text(links, "ssoRegion")));
    s.put("sso-session airlock", List.of("sso_start_url = " + Words.text(links, "ssoStartUrl"),
        "sso_region = " + Words.text(links, "ssoRegion"), "sso_registration_scopes = sso:account:access"));
    return s;
  }

  static void write(Path file, Map<String, List<String>> sections) {
    try {
      List<String> lines = Files.isRegularFile(file) ? Files.readAllLines(file) : List.of();
      List<String> out = new ArrayList<>();
      boolean skipping = false;
      for (String line : lines) {
        String trimmed = line.trim();
        if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
          skipping = sections.containsKey(trimmed.substring(1, trimmed.length() - 1).trim());
        }
        if (!skipping) {
          out.add(line);
        }
      }
      while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) {
        out.remove(out.size() - 1);
      }
      for (Map.Entry<String, List<String>> e : sections.entrySet()) {
        if (!out.isEmpty()) {
          out.add("");
        }
        out.add("[" + e.getKey() + "]");
        out.addAll(e.getValue());
      }
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.write(file, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
