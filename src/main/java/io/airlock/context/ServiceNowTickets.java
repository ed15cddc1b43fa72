package io.airlock.context;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ServiceNow's incidents, changes, problems and requested items (Table API):
 * {@code GET /api/now/table/{table}?sysparm_query=number=...}, open while {@code active} is
 * true, with its state, the table's name as its kind, and the assignee's email. Signs in as an
 * integration user (basic). Answers are kept for {@code cache-for} ({@link Kept}).
 */
public final class ServiceNowTickets implements Tickets {

  private static final Logger log = LoggerFactory.getLogger(ServiceNowTickets.class);
  private static final Pattern NUMBER = Pattern.compile("(INC|CHG|PRB|RITM|SCTASK)[0-9]{7,10}");
  private static final Map<String, String> TABLES = Map.of("INC", "incident", "CHG", "change_request",
      "PRB", "problem", "RITM", "sc_req_item", "SCTASK", "sc_task");
  private static final Map<String, String> KINDS = Map.of("INC", "Incident", "CHG", "Change", "PRB", "Problem",
      "RITM", "Requested item", "SCTASK", "Catalog task");
  private static final String KEY_SETTING = "airlock.context.servicenow.password-file";

  private final ContextProperties.ServiceNow settings;
  private final Http http;
  private final Kept<Optional<Ticket>> kept;

  public ServiceNowTickets(ContextProperties.ServiceNow settings) {
    this.settings = settings;
    this.http = new Http(settings.apiUrl(), settings.timeout(), KEY_SETTING);
    this.kept = new Kept<>(settings.cacheFor());
  }

  @Override
  public String provider() {
    return "ServiceNow";
  }

  @Override
  public boolean handles(String reference) {
    return reference != null && NUMBER.matcher(reference.toUpperCase(Locale.ROOT)).matches();
  }

  @Override
  public Optional<Ticket> find(String reference) {
    return kept.get(reference.toUpperCase(Locale.ROOT), this::ask, log, "ServiceNow could not say what "
        + io.airlock.logging.LogSafe.of(reference) + " is");
  }

  private Optional<Ticket> ask(String number) {
    Matcher m = NUMBER.matcher(number);
    if (!m.matches()) {
      return Optional.empty();
    }
    String prefix = m.group(1);
    String password = Http.readKey(settings.passwordFile(), KEY_SETTING);
    String authorization = "Basic " + Base64.getEncoder().encodeToString((settings.user() + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
    JsonNode answer = http.get("/api/now/table/" + TABLES.get(prefix) + "?sysparm_query="
        + URLEncoder.encode("number=" + number, StandardCharsets.UTF_8)
        + "&sysparm_fields=number,state,active,assigned_to.email&sysparm_display_value=true&sysparm_limit=1",
        Map.of("Authorization", authorization, "Accept", "application/json"));
    JsonNode result = answer == null ? null : answer.path("result");
    if (result == null || !result.isArray() || result.isEmpty()) {
      return Optional.empty();
    }
    JsonNode t = result.get(0);
    String email = t.path("assigned_to.email").asText(null);
    return Optional.of(new Ticket(t.path("number").asText(number), "true".equalsIgnoreCase(t.path("active").asText()),
        t.path("state").asText(null), KINDS.get(prefix), email != null && !email.isBlank(),
        email == null || email.isBlank() ? null : email));
  }
}
