package io.airlock.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.support.FakeTicketTrackers;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whether the ticket a request names is open and whose, as the decision tables get it, against
 * local stand-ins for Jira's REST API and ServiceNow's Table API over HTTP: open and assigned,
 * resolved, not found, a reference no tracker holds, only the configured Jira projects, and
 * failures that leave the fact unknown (null) with the reason in words.
 */
class TicketFactsTest {

  static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 8, 3, 0, 0, 0, ZoneId.of("UTC"));
  final FakeTicketTrackers trackers = new FakeTicketTrackers();

  @AfterEach
  void stop() {
    trackers.close();
  }

  PolicyContext context(List<String> jiraProjects) {
    return new PolicyContext(null, PolicyContext.trackers(new ContextProperties(
        PolicyContextTest.context(null).pagerduty(),
        new ContextProperties.Jira(URI.create(trackers.url()), FakeTicketTrackers.JIRA_USER,
            FakeTicketTrackers.secretFile(FakeTicketTrackers.JIRA_TOKEN).toString(), Duration.ofSeconds(2),
            Duration.ofMinutes(1), jiraProjects),
        new ContextProperties.ServiceNow(URI.create(trackers.url()), FakeTicketTrackers.SERVICENOW_USER,
            FakeTicketTrackers.secretFile(FakeTicketTrackers.SERVICENOW_PASSWORD).toString(), Duration.ofSeconds(2),
            Duration.ofMinutes(1)),
        PolicyContextTest.NO_OPSGENIE, PolicyContextTest.TICKETS, PolicyContext.NINE_TO_FIVE)));
  }

  @Test
  void anOpenJiraIncidentAssignedToTheRequester() {
    trackers.put("OPS-42", true, "In Progress", "Incident", "Erin@Example.com");
    PolicyContext.Facts facts = context(List.of()).about("erin", "erin@example.com", "OPS-42", NOW);
    assertThat(facts.unknown()).isEmpty();
    assertThat(facts.variables()).containsEntry("ticketOpen", true).containsEntry("ticketAssignedToRequester", true)
        .containsEntry("ticketStatus", "In Progress").containsEntry("ticketKind", "Incident");
    assertThat(facts.variables()).containsEntry("requesterOnCall", null);
    assertThat(trackers.asked()).singleElement().asString().startsWith("/rest/api/2/issue/OPS-42?fields=");
  }

  @Test
  void resolvedSomeoneElsesNotFoundAndUnassignedTickets() {
    trackers.put("OPS-1", false, "Done", "Incident", "erin@example.com");
    trackers.put("OPS-2", true, "To Do", "Task", "bob@example.com");
    trackers.put("OPS-3", true, "To Do", "Task", null);
    PolicyContext context = context(List.of());
    assertThat(context.about("erin", "erin@example.com", "OPS-1", NOW).variables())
        .containsEntry("ticketOpen", false).containsEntry("ticketStatus", "Done");
    assertThat(context.about("erin", "erin@example.com", "OPS-2", NOW).variables())
        .containsEntry("ticketOpen", true).containsEntry("ticketAssignedToRequester", false);
    assertThat(context.about("erin", "erin@example.com", "OPS-3", NOW).variables())
        .as("unassigned").containsEntry("ticketOpen", true).containsEntry("ticketAssignedToRequester", false);
    assertThat(context.about("erin", null, "OPS-2", NOW).variables()).as("a requester without an email")
        .containsEntry("ticketAssignedToRequester", null);
    assertThat(context.about("erin", "erin@example.com", "OPS-404", NOW).variables())
        .containsEntry("ticketOpen", false).containsEntry("ticketStatus", "not found")
        .containsEntry("ticketAssignedToRequester", false);
  }

  @Test
  void serviceNowNumbersGoToServiceNowAndOtherReferencesToNoTracker() {
    trackers.put("INC0010042", true, "In Progress", "Incident", "erin@example.com");
    PolicyContext context = context(List.of("OPS"));
    assertThat(context.about("erin", "erin@example.com", "INC0010042", NOW).variables())
        .containsEntry("ticketOpen", true).containsEntry("ticketAssignedToRequester", true)
        .containsEntry("ticketKind", "Incident").containsEntry("ticketStatus", "In Progress");
    assertThat(trackers.asked()).last().asString().startsWith("/api/now/table/incident?sysparm_query=number%3DINC0010042");
    trackers.resolve("INC0010042");
    assertThat(context(List.of()).about("erin", "erin@example.com", "INC0010042", NOW).variables())
        .containsEntry("ticketOpen", false).containsEntry("ticketStatus", "Resolved");
    // SHA-256 is not a project of Jira's here: nobody is asked and nothing is unknown.
    int asked = trackers.asked().size();
    PolicyContext.Facts facts = context.about("erin", "erin@example.com", "SHA-256", NOW);
    assertThat(facts.unknown()).isEmpty();
    assertThat(facts.variables()).containsEntry("ticketOpen", null);
    assertThat(trackers.asked()).hasSize(asked);
  }

  @Test
  void aTrackerThatCannotSayLeavesTheTicketUnknownWithTheReason() {
    trackers.failWith(503);
    PolicyContext.Facts facts = context(List.of()).about("erin", "erin@example.com", "OPS-42", NOW);
    assertThat(facts.variables()).containsEntry("ticketOpen", null).containsEntry("ticketAssignedToRequester", null);
    assertThat(facts.unknown()).singleElement().satisfies(u -> {
      assertThat(u.provider()).isEqualTo("Jira");
      assertThat(u.reason()).isEqualTo("Jira could not say whether OPS-42 is open: it answered 503. Rules that need it "
          + "do not apply.");
    });
    PolicyContext.Facts serviceNow = context(List.of()).about("erin", "erin@example.com", "CHG0000007", NOW);
    assertThat(serviceNow.unknown()).singleElement().extracting(PolicyContext.Unknown::reason).asString()
        .startsWith("ServiceNow could not say whether CHG0000007 is open: it answered 503.");
  }
}
