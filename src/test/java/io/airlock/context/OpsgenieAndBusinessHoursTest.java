package io.airlock.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.airlock.support.FakePagerDuty;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Opsgenie as the on-call provider (a local stand-in for its schedule timeline API over HTTP, with
 * its GenieKey authorization), and the company's business hours with holidays.
 */
class OpsgenieAndBusinessHoursTest {

  static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 8, 3, 0, 0, 0, ZoneId.of("UTC"));
  static final ObjectMapper JSON = new ObjectMapper();
  HttpServer opsgenie;
  final List<String> asked = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    opsgenie = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    opsgenie.createContext("/v2/schedules/", exchange -> {
      try (exchange) {
        asked.add(exchange.getRequestURI().getRawPath() + "?" + exchange.getRequestURI().getRawQuery());
        int status = 200;
        Object body;
        if (!("GenieKey " + FakePagerDuty.TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
          status = 401;
          body = Map.of("message", "Could not authenticate");
        } else if (exchange.getRequestURI().getPath().equals("/v2/schedules/Primary SRE/timeline")) {
          List<Object> periods = List.of(
              period(NOW.minusHours(10), NOW.plusHours(5), "erin@example.com"),
              period(NOW.plusHours(5), NOW.plusHours(29), "bob@example.com"),
              Map.of("startDate", NOW.minusHours(1).toString(), "endDate", NOW.plusHours(1).toString(),
                  "type", "default", "recipient", Map.of("type", "team", "name", "platform")));
          Map<String, Object> rotation = Map.of("name", "Weekly", "periods", periods);
          body = Map.of("data", Map.of("finalTimeline", Map.of("rotations", List.of(rotation))));
        } else {
          status = 404;
          body = Map.of("message", "Schedule with identifier [Nope] does not exist");
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
      }
    });
    opsgenie.start();
  }

  @AfterEach
  void stop() {
    opsgenie.stop(0);
  }

  static Map<String, Object> period(ZonedDateTime from, ZonedDateTime to, String user) {
    return Map.of("startDate", from.toOffsetDateTime().toString(), "endDate", to.toOffsetDateTime().toString(),
        "type", "default", "recipient", Map.of("type", "user", "name", user, "id", "u-" + user.hashCode()));
  }

  PolicyContext context(List<String> schedules, ContextProperties.BusinessHours hours) {
    ContextProperties.Opsgenie settings = new ContextProperties.Opsgenie(
        URI.create("http://127.0.0.1:" + opsgenie.getAddress().getPort()), FakePagerDuty.tokenFile().toString(),
        schedules, Duration.ofSeconds(2), Duration.ofMinutes(1));
    return new PolicyContext(new OpsgenieOnCall(settings), List.of(), hours);
  }

  @Test
  void whoIsOnCallNowInOpsgeniesScheduleAndUntilWhen() {
    PolicyContext context = context(List.of("Primary SRE"), PolicyContext.NINE_TO_FIVE);
    assertThat(context.about("erin", "Erin@example.com", null, NOW).variables())
        .containsEntry("requesterOnCall", true).containsEntry("onCallSecondsLeft", 5 * 3600L)
        .containsEntry("onCallUntil", "8 Dec 08:00 UTC").containsEntry("onCallSchedule", "Primary SRE");
    assertThat(context.about("bob", "bob@example.com", null, NOW).variables()).as("bob's shift starts later")
        .containsEntry("requesterOnCall", false);
    assertThat(asked).as("one timeline read for both, kept").singleElement().asString()
        .startsWith("/v2/schedules/Primary%20SRE/timeline?identifierType=name&interval=1&intervalUnit=weeks&date=");
  }

  @Test
  void anUnknownScheduleLeavesTheFactUnknownNamingIt() {
    PolicyContext.Facts facts = context(List.of("Nope"), PolicyContext.NINE_TO_FIVE)
        .about("erin", "erin@example.com", null, NOW);
    assertThat(facts.variables()).containsEntry("requesterOnCall", null);
    assertThat(facts.unknown()).singleElement().extracting(PolicyContext.Unknown::reason).isEqualTo(
        "Opsgenie could not say whether erin is on call: it has no schedule named Nope "
            + "(airlock.context.opsgenie.schedules). Rules that need it do not apply.");
  }

  @Test
  void businessHoursFollowTheWorkingDaysHoursAndHolidays() {
    ContextProperties.BusinessHours hours = new ContextProperties.BusinessHours(List.of(DayOfWeek.MONDAY,
        DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY), LocalTime.of(9, 0),
        LocalTime.of(17, 30), List.of(LocalDate.of(2026, 12, 25)));
    PolicyContext context = context(List.of("Primary SRE"), hours);
    ZonedDateTime tuesday = ZonedDateTime.of(2026, 12, 8, 9, 0, 0, 0, ZoneId.of("UTC"));
    assertThat(context.about("x", null, null, tuesday).variables()).containsEntry("withinBusinessHours", true)
        .containsEntry("holidayToday", false);
    assertThat(context.about("x", null, null, tuesday.withHour(8).withMinute(59)).variables())
        .containsEntry("withinBusinessHours", false);
    assertThat(context.about("x", null, null, tuesday.withHour(17).withMinute(30)).variables())
        .as("the end is exclusive").containsEntry("withinBusinessHours", false);
    assertThat(context.about("x", null, null, tuesday.plusDays(4)).variables()).as("Saturday")
        .containsEntry("withinBusinessHours", false).containsEntry("holidayToday", false);
    assertThat(context.about("x", null, null, ZonedDateTime.of(2026, 12, 25, 10, 0, 0, 0, ZoneId.of("UTC")))
        .variables()).as("Christmas, a Friday").containsEntry("withinBusinessHours", false)
        .containsEntry("holidayToday", true);
  }
}
