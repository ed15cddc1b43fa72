package io.airlock.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.support.FakePagerDuty;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whether the requester is on call, as the decision tables get it, against a local stand-in for
 * PagerDuty's API over HTTP: on call with the shift's end, not on call, unknown to PagerDuty, and
 * every way the question can fail (slow, refused key, an error, a missing key file, no email),
 * each of which leaves the fact unknown (null) with a reason in words. Answers are kept for
 * {@code cache-for}, failures for at most 15 s.
 */
class PolicyContextTest {

  static final ZonedDateTime NOW = ZonedDateTime.now(ZoneId.of("UTC")).truncatedTo(ChronoUnit.SECONDS);
  static final ContextProperties.Jira NO_JIRA = new ContextProperties.Jira(null, null, null, Duration.ofSeconds(2),
      Duration.ofMinutes(1), List.of());
  static final ContextProperties.ServiceNow NO_SERVICENOW = new ContextProperties.ServiceNow(null, null, null,
      Duration.ofSeconds(2), Duration.ofMinutes(1));
  static final ContextProperties.Opsgenie NO_OPSGENIE = new ContextProperties.Opsgenie(URI.create("http://127.0.0.1:9"),
      null, List.of(), Duration.ofSeconds(2), Duration.ofMinutes(1));
  static final ContextProperties.Tickets TICKETS = new ContextProperties.Tickets(true, Duration.ofMinutes(1));
  final FakePagerDuty pagerDuty = new FakePagerDuty();

  @AfterEach
  void stop() {
    pagerDuty.close();
  }

  PolicyContext context(Duration timeout, Duration cacheFor, List<String> schedules, Path tokenFile) {
    return new PolicyContext(new ContextProperties(new ContextProperties.PagerDuty(URI.create(pagerDuty.url()),
        tokenFile.toString(), timeout, cacheFor, schedules), NO_JIRA, NO_SERVICENOW, NO_OPSGENIE, TICKETS, PolicyContext.NINE_TO_FIVE));
  }

  /** Properties with PagerDuty off (token file null) or on at {@code url}. */
  static ContextProperties context(String url) {
    return new ContextProperties(new ContextProperties.PagerDuty(URI.create(url == null ? "http://127.0.0.1:9" : url),
        null, Duration.ofSeconds(2), Duration.ofMinutes(1), List.of()), NO_JIRA, NO_SERVICENOW, NO_OPSGENIE, TICKETS, PolicyContext.NINE_TO_FIVE);
  }

  PolicyContext context() {
    return context(Duration.ofSeconds(2), Duration.ofMinutes(1), List.of(), FakePagerDuty.tokenFile());
  }

  @Test
  void anOnCallRequesterHasTheSecondsLeftAndTheEndOfTheShiftInWords() {
    Instant end = NOW.toInstant().plus(Duration.ofHours(3));
    pagerDuty.onCall("Alice@Example.com", "Primary SRE", end);
    PolicyContext.Facts facts = context().about("alice", "alice@example.com", null, NOW);
    assertThat(facts.unknown()).isEmpty();
    assertThat(facts.variables()).containsEntry("requesterOnCall", true)
        .containsEntry("onCallSchedule", "Primary SRE")
        .containsEntry("onCallUntil", java.time.format.DateTimeFormatter.ofPattern("d MMM HH:mm",
            java.util.Locale.ENGLISH).format(end.atZone(ZoneId.of("UTC"))) + " UTC");
    assertThat((Long) facts.variables().get("onCallSecondsLeft")).isBetween(3 * 3600L - 2, 3 * 3600L);
    assertThat(pagerDuty.asked()).hasSize(2).first().asString().startsWith("/users?query=alice%40example.com");
  }

  @Test
  void theLongestOfSeveralShiftsCountsAndAShiftWithoutEndIsLongerThanAnyScope() {
    pagerDuty.onCall("bob@example.com", "Primary SRE", NOW.toInstant().plus(Duration.ofHours(1)));
    pagerDuty.onCall("bob@example.com", "Databases", NOW.toInstant().plus(Duration.ofHours(5)));
    assertThat(context().about("bob", "bob@example.com", null, NOW).variables()).containsEntry("onCallSchedule", "Databases");
    pagerDuty.onCall("carol@example.com", "Always", null);
    assertThat(context().about("carol", "carol@example.com", null, NOW).variables())
        .containsEntry("requesterOnCall", true).containsEntry("onCallUntil", "no end")
        .containsEntry("onCallSecondsLeft", PolicyContext.ENDLESS_SECONDS);
  }

  @Test
  void notOnCallAndUnknownToPagerDutyAreBothFalseNotUnknown() {
    pagerDuty.knows("dave@example.com");
    for (String email : List.of("dave@example.com", "nobody@example.com")) {
      PolicyContext.Facts facts = context().about("x", email, null, NOW);
      assertThat(facts.unknown()).isEmpty();
      assertThat(facts.variables()).containsEntry("requesterOnCall", false).containsEntry("onCallSecondsLeft", null)
          .containsEntry("onCallUntil", null);
    }
  }

  @Test
  void onlyTheConfiguredSchedulesCount() {
    pagerDuty.onCall("erin@example.com", "Marketing", NOW.toInstant().plus(Duration.ofHours(2)));
    PolicyContext scoped = context(Duration.ofSeconds(2), Duration.ofMinutes(1), List.of("S-Primary-SRE"),
        FakePagerDuty.tokenFile());
    assertThat(scoped.about("erin", "erin@example.com", null, NOW).variables()).containsEntry("requesterOnCall", false);
    assertThat(pagerDuty.asked()).last().asString().contains("schedule_ids%5B%5D=S-Primary-SRE");
  }

  @Test
  void everyFailureLeavesTheFactUnknownWithTheReasonInWords() throws Exception {
    pagerDuty.onCall("alice@example.com", "Primary SRE", NOW.toInstant().plus(Duration.ofHours(3)));
    pagerDuty.delay(1500);
    assertUnknown(context(Duration.ofMillis(300), Duration.ofMinutes(1), List.of(), FakePagerDuty.tokenFile()),
        "it did not answer within 300 ms");
    pagerDuty.delay(0);
    Path wrongKey = java.nio.file.Files.createTempFile("wrong", ".key");
    java.nio.file.Files.writeString(wrongKey, "not-the-key");
    assertUnknown(context(Duration.ofSeconds(2), Duration.ofMinutes(1), List.of(), wrongKey),
        "it refused Airlock's API key (401); check airlock.context.pagerduty.token-file");
    assertUnknown(context(Duration.ofSeconds(2), Duration.ofMinutes(1), List.of(), Path.of("/nonexistent/pd.key")),
        "its API key could not be read from airlock.context.pagerduty.token-file");
    pagerDuty.failWith(500);
    assertUnknown(context(), "it answered 500");
    pagerDuty.failWith(429);
    assertUnknown(context(), "it asked Airlock to slow down (429)");
    pagerDuty.failWith(0);
    PolicyContext.Facts noEmail = context().about("alice", null, null, NOW);
    assertThat(noEmail.variables()).containsEntry("requesterOnCall", null);
    assertThat(noEmail.unknown()).singleElement().extracting(PolicyContext.Unknown::reason)
        .isEqualTo("PagerDuty was not asked whether alice is on call: Airlock's directory has no email address for them.");
    java.nio.file.Files.delete(wrongKey);
  }

  @Test
  void answersAreKeptForCacheForAndAFailureIsAskedAgainSoon() {
    pagerDuty.onCall("alice@example.com", "Primary SRE", NOW.toInstant().plus(Duration.ofHours(3)));
    PolicyContext kept = context();
    for (int i = 0; i < 5; i++) {
      assertThat(kept.about("alice", "alice@example.com", null, NOW).variables()).containsEntry("requesterOnCall", true);
    }
    assertThat(pagerDuty.asked()).as("one user lookup and one on-call read for five questions").hasSize(2);
    // A kept shift that has ended since is no longer on call.
    assertThat(kept.about("alice", "alice@example.com", null, NOW.plusHours(4)).variables())
        .containsEntry("requesterOnCall", false);

    PolicyContext failing = context();
    pagerDuty.failWith(503);
    assertThat(failing.about("bob", "bob@example.com", null, NOW).unknown()).hasSize(1);
    int asked = pagerDuty.asked().size();
    assertThat(failing.about("bob", "bob@example.com", null, NOW).unknown()).hasSize(1);
    assertThat(pagerDuty.asked()).as("a failure is kept, not asked again at once").hasSize(asked);
    // Not set up: nothing is asked and nothing is unknown.
    PolicyContext.Facts off = new PolicyContext((OnCall) null).about("alice", "alice@example.com", null, NOW);
    assertThat(off.unknown()).isEmpty();
    assertThat(off.variables()).containsOnlyKeys(io.airlock.policy.PolicyInputs.CONTEXT_FACTS);
    assertThat(off.variables()).as("the providers' facts are unknown; business hours need no provider")
        .allSatisfy((k, v) -> assertThat(v == null || k.equals("withinBusinessHours") || k.equals("holidayToday"))
            .as(k).isTrue());
  }

  private void assertUnknown(PolicyContext context, String why) {
    PolicyContext.Facts facts = context.about("alice", "alice@example.com", null, NOW);
    assertThat(facts.variables()).containsEntry("requesterOnCall", null).containsEntry("onCallSecondsLeft", null);
    assertThat(facts.unknown()).singleElement().satisfies(u -> {
      assertThat(u.provider()).isEqualTo("PagerDuty");
      assertThat(u.variable()).isEqualTo("requesterOnCall");
      assertThat(u.reason()).isEqualTo("PagerDuty could not say whether alice is on call: " + why
          + ". Rules that need it do not apply.");
    });
  }
}
