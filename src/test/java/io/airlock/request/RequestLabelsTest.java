package io.airlock.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** End times as the task "Your access" shows them, in the organization's time zone. */
class RequestLabelsTest {

  private static final Instant NOW = Instant.parse("2026-12-01T13:05:00Z");

  @Test
  void anEndTodayReadsAsItsTimeAndZone() {
    assertThat(RequestLabels.time(Instant.parse("2026-12-01T14:30:00Z"), NOW, ZoneId.of("UTC"))).isEqualTo("14:30 UTC");
  }

  @Test
  void anEndOnAnotherDayOrYearSaysWhich() {
    assertThat(RequestLabels.time(Instant.parse("2026-12-02T00:15:00Z"), NOW, ZoneId.of("UTC")))
        .isEqualTo("2 Dec 00:15 UTC");
    assertThat(RequestLabels.time(Instant.parse("2027-01-01T09:00:00Z"), NOW, ZoneId.of("UTC")))
        .isEqualTo("1 Jan 2027 09:00 UTC");
  }

  @Test
  void theDayIsTheOrganizationsNotUtcs() {
    // 23:30 UTC is already tomorrow in Berlin, and so is 00:30 there: the same day, no date.
    Instant late = Instant.parse("2026-12-01T23:00:00Z");
    assertThat(RequestLabels.time(Instant.parse("2026-12-01T23:30:00Z"), late, ZoneId.of("Europe/Berlin")))
        .isEqualTo("00:30 CET");
  }
}
