package io.airlock.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** What more time policy can allow active access: the arithmetic on the scope's maximum from the first grant. */
class ExtensionOptionsTest {

  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

  @Test
  void offersTheUsualStepsUpToWhatTheMaximumLeavesAndThatRest() {
    // First granted at 12:00 for 30 min, scope maximum 4 h: at most until 16:00, 3 h 30 min more.
    AccessRequest r = active(T0, T0.plus(Duration.ofMinutes(30)), null, 240);

    ExtensionOptions o = ExtensionOptions.of(r, T0.plus(Duration.ofMinutes(10)));

    assertThat(o.possible()).isTrue();
    assertThat(o.reason()).isNull();
    assertThat(o.latestEnd()).isEqualTo(Instant.parse("2026-12-07T16:00:00Z"));
    assertThat(o.maximum()).isEqualTo(Duration.ofMinutes(210));
    assertThat(o.options()).extracting(ExtensionOptions.Option::label)
        .containsExactly("15 min", "30 min", "1 h", "2 h", "3 h 30 min");
    assertThat(o.options()).extracting(ExtensionOptions.Option::newEnd).containsExactly(
        Instant.parse("2026-12-07T12:45:00Z"), Instant.parse("2026-12-07T13:00:00Z"),
        Instant.parse("2026-12-07T13:30:00Z"), Instant.parse("2026-12-07T14:30:00Z"),
        Instant.parse("2026-12-07T16:00:00Z"));
    assertThat(o.options().get(4).rest()).isTrue();
    assertThat(o.options().get(4).describe(UTC, T0)).isEqualTo("3 h 30 min, the most policy allows · until 16:00 UTC");
    assertThat(o.options().get(2).describe(UTC, T0)).isEqualTo("1 h · until 13:30 UTC");
  }

  @Test
  void countsFromTheFirstGrantOfAChainOfExtensionsNotFromTheLastOne() {
    // The chain began at 12:00; the current extension (granted 13:00) ends at 15:15; maximum 4 h.
    AccessRequest r = active(T0.plus(Duration.ofHours(1)), Instant.parse("2026-12-07T15:15:00Z"), T0, 240);

    ExtensionOptions o = ExtensionOptions.of(r, T0.plus(Duration.ofHours(2)));

    assertThat(o.maximum()).isEqualTo(Duration.ofMinutes(45));
    assertThat(o.options()).extracting(ExtensionOptions.Option::label).containsExactly("15 min", "30 min", "45 min");
    // A step that is exactly the rest appears once, as the rest.
    AccessRequest exact = active(T0, T0.plus(Duration.ofHours(2)), null, 240);
    assertThat(ExtensionOptions.of(exact, T0).options()).extracting(ExtensionOptions.Option::label)
        .containsExactly("15 min", "30 min", "1 h", "2 h");
    assertThat(ExtensionOptions.of(exact, T0).options().get(3).rest()).isTrue();
  }

  @Test
  void offersNothingWithAReasonInWordsWhenTheMaximumIsUsedUp() {
    AccessRequest r = active(T0.plus(Duration.ofHours(2)), T0.plus(Duration.ofHours(4)), T0, 240);
    r.setScopeName("Non-production read-only");

    ExtensionOptions o = ExtensionOptions.of(r, T0.plus(Duration.ofHours(3)));

    assertThat(o.possible()).isFalse();
    assertThat(o.options()).isEmpty();
    assertThat(o.maximum()).isZero();
    assertThat(o.reason()).isEqualTo("This access already runs for its scope's maximum of 4 h "
        + "('Non-production read-only') from its first grant");
    // Less than a minute left is nothing to offer either.
    AccessRequest almost = active(T0, T0.plus(Duration.ofMinutes(239)).plusSeconds(30), null, 240);
    assertThat(ExtensionOptions.of(almost, T0).possible()).isFalse();
  }

  @Test
  void offersNothingForAccessThatIsNotActiveOrHasEnded() {
    AccessRequest pending = active(T0, T0.plus(Duration.ofMinutes(30)), null, 240);
    pending.setStatus(RequestStatus.PENDING_REVIEW);
    assertThat(ExtensionOptions.of(pending, T0).reason())
        .isEqualTo("Only active access can be extended; this request is pending review");
    AccessRequest over = active(T0, T0.plus(Duration.ofMinutes(30)), null, 240);
    assertThat(ExtensionOptions.of(over, T0.plus(Duration.ofMinutes(30))).reason()).isEqualTo("This access has ended");
    // The task "Your access" is created as the grant is sent: the same choices before AWS confirms it.
    AccessRequest granting = active(T0, T0.plus(Duration.ofMinutes(30)), null, 240);
    granting.setStatus(RequestStatus.GRANTING);
    assertThat(ExtensionOptions.of(granting, T0).possible()).isFalse();
    assertThat(ExtensionOptions.forGrant(granting, T0).maximum()).isEqualTo(Duration.ofMinutes(210));
    AccessRequest unbounded = active(T0, T0.plus(Duration.ofMinutes(30)), null, 0);
    assertThat(ExtensionOptions.of(unbounded, T0).possible()).isFalse();
  }

  @Test
  void refusesMoreThanTheMaximumNamingIt() {
    AccessRequest r = active(T0, T0.plus(Duration.ofMinutes(30)), null, 240);
    ExtensionOptions o = ExtensionOptions.of(r, T0);

    assertThat(o.refusal(Duration.ofMinutes(210), UTC, T0)).isEmpty();
    assertThat(o.refusal(Duration.ofMinutes(17), UTC, T0)).isEmpty();
    assertThat(o.refusal(Duration.ofHours(4), UTC, T0)).hasValue("is more than policy can allow: at most 3 h 30 min "
        + "more, until 16:00 UTC (the scope's maximum counts from the first grant)");
  }

  @Test
  void anExtensionSaysWhatItExtendsAndEndsWhereItAsked() {
    AccessRequest r = active(T0, T0.plus(Duration.ofMinutes(30)), T0, 240);
    r.setSupersedes("original");
    r.setExtendsEnd(Instant.parse("2026-12-07T14:30:00Z"));
    r.setExtendBy("PT42M");

    AccessRequest.Extension e = r.extension();

    assertThat(e.extendsRequest()).isEqualTo("original");
    assertThat(e.to()).isEqualTo(Instant.parse("2026-12-07T15:12:00Z"));
    assertThat(e.describe(UTC, T0)).isEqualTo("extend live access from 14:30 UTC to 15:12 UTC (+42 min)");
    // Granted late (a slow review), it still ends where policy judged it.
    assertThat(r.endFrom(Instant.parse("2026-12-07T14:50:00Z"))).isEqualTo(Instant.parse("2026-12-07T15:12:00Z"));
    AccessRequest plain = active(T0, T0.plus(Duration.ofMinutes(30)), null, 240);
    assertThat(plain.extension()).isNull();
    assertThat(plain.endFrom(T0)).isEqualTo(T0.plus(Duration.ofMinutes(30)));
  }

  private static AccessRequest active(Instant grantStart, Instant grantEnd, Instant chainStart, long maxMinutes) {
    AccessRequest r = new AccessRequest();
    r.setId("r-1");
    r.setStatus(RequestStatus.ACTIVE);
    r.setGrantStart(grantStart);
    r.setGrantEnd(grantEnd);
    r.setChainStart(chainStart);
    r.setMaxDurationMinutes(maxMinutes);
    r.setDuration(Duration.between(grantStart, grantEnd).toString());
    return r;
  }
}
