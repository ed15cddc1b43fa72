package io.airlock.context;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jira's issues (Cloud and Data Center, REST API v2): {@code GET /rest/api/2/issue/{key}} with
 * the status, its category (done means resolved), the issue type and the assignee. Cloud signs
 * in with an account's email and API token (basic), Data Center with a personal access token
 * (bearer) when no user is set. Answers are kept for {@code cache-for} ({@link Kept}).
 */
public final class JiraTickets implements Tickets {

  private static final Logger log = LoggerFactory.getLogger(JiraTickets.class);
  private static final Pattern KEY = Pattern.compile("[A-Z][A-Z0-9_]{0,19}-[1-9][0-9]{0,9}");
  private static final String KEY_SETTING = "airlock.context.jira.token-file";

  private final ContextProperties.Jira settings;
  private final Http http;
  private final Kept<Optional<Ticket>> kept;

  public JiraTickets(ContextProperties.Jira settings) {
    this.settings = settings;
    this.http = new Http(settings.apiUrl(), settings.timeout(), KEY_SETTING);
    this.kept = new Kept<>(settings.cacheFor());
  }

  @Override
  public String provider() {
    return "Jira";
  }

  @Override
  public boolean handles(String reference) {
    if (reference == null || !KEY.matcher(reference).matches()) {
      return false;
    }
    String project = reference.substring(0, reference.indexOf('-'));
    return settings.projects().isEmpty() || settings.projects().contains(project);
  }

  @Override
  public Optional<Ticket> find(String reference) {
    return kept.get(reference.toUpperCase(Locale.ROOT), this::ask, log, "Jira could not say what "
        + io.airlock.logging.LogSafe.of(reference) + " is");
  }

  private Optional<Ticket> ask(String key) {
    String token = Http.readKey(settings.tokenFile(), KEY_SETTING);
    String authorization = settings.user() == null || settings.user().isBlank() ? "Bearer " + token
        : "Basic " + Base64.getEncoder().encodeToString((settings.user() + ":" + token)
            .getBytes(StandardCharsets.UTF_8));
    JsonNode issue = http.get("/rest/api/2/issue/" + URLEncoder.encode(key, StandardCharsets.UTF_8)
        + "?fields=status,assignee,issuetype", Map.of("Authorization", authorization, "Accept", "application/json"));
    if (issue == null) {
      return Optional.empty();
    }
    JsonNode fields = issue.path("fields");
    String category = fields.path("status").path("statusCategory").path("key").asText("");
    String email = fields.path("assignee").path("emailAddress").asText(null);
    return Optional.of(new Ticket(issue.path("key").asText(key), !"done".equals(category),
        fields.path("status").path("name").asText(null), fields.path("issuetype").path("name").asText(null),
        fields.path("assignee").isObject(), email == null || email.isBlank() ? null : email));
  }
}
