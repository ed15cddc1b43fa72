package io.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Durations as people type them become ISO-8601 for Airlock, and read back as the portal writes them. */
class DurationsTest {

  @ParameterizedTest
  @CsvSource({
      "1h, PT1H", "30m, PT30M", "2h30m, PT2H30M", "2h 30m, PT2H30M", "1d, PT24H", "1d4h, PT28H", "90m, PT1H30M",
      "45s, PT45S", "1 h 30 min, PT1H30M", "2 hours, PT2H", "15 minutes, PT15M", "1H30M, PT1H30M",
      "PT1H, PT1H", "pt15m, PT15M", "P1D, PT24H"})
  void peoplesDurationsBecomeIso(String typed, String iso) {
    assertThat(Durations.iso(Durations.parse(typed, "duration"))).isEqualTo(iso);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "5x", "1", "h", "1h1h", "30m1h", "-1h", "0m", "PT0S", "1h and a bit", "P1X", "1.5h"})
  void whatIsNoDurationIsBadInputNamingTheField(String typed) {
    assertThatThrownBy(() -> Durations.parse(typed, "duration"))
        .isInstanceOfSatisfying(CliException.class, e -> {
          assertThat(e.exit()).isEqualTo(Exit.BAD_INPUT);
          assertThat(e.getMessage()).startsWith("duration: '").contains("is not a duration").contains("2h30m");
        });
  }

  @Test
  void durationsReadAsThePortalWritesThem() {
    assertThat(Durations.human(Duration.ofMinutes(30))).isEqualTo("30 min");
    assertThat(Durations.human(Duration.ofHours(2))).isEqualTo("2 h");
    assertThat(Durations.human(Duration.ofMinutes(90))).isEqualTo("1 h 30 min");
    assertThat(Durations.human(Duration.ofHours(28))).isEqualTo("1 d 4 h");
    assertThat(Durations.human(Duration.ofSeconds(45))).isEqualTo("45 s");
    assertThat(Durations.human("PT4H")).isEqualTo("4 h");
    assertThat(Durations.human("not one")).isEqualTo("not one");
  }

  @Test
  void timeLeftRoundsUpToTheMinuteAndNeverGoesBelowZero() {
    assertThat(Durations.left(Duration.ofSeconds(28 * 60 + 1))).isEqualTo("29 min");
    assertThat(Durations.left(Duration.ofMinutes(90))).isEqualTo("1 h 30 min");
    assertThat(Durations.left(Duration.ofSeconds(-5))).isEqualTo("0 min");
  }
}
