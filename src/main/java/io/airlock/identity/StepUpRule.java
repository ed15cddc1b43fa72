package io.airlock.identity;

import io.airlock.request.RequestLabels;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether a sign-in, as its token's claims tell it, may approve: it was made with a second factor
 * ({@code amr} names one of {@code amrValues}, or {@code acr} is one of {@code acrValues}) and at most
 * {@code maxAge} ago ({@code auth_time}). A token whose {@code auth_time} lies ahead of Airlock's
 * clock by more than the allowed skew is not believed.
 */
final class StepUpRule {

  /** What a token says of how its person signed in. */
  record SignIn(Instant authTime, List<String> amr, String acr) {
    SignIn {
      amr = amr == null ? List.of() : List.copyOf(amr);
    }
  }

  private final KeycloakProperties.StepUp settings;
  private final Duration clockSkew;

  StepUpRule(KeycloakProperties.StepUp settings, Duration clockSkew) {
    this.settings = settings;
    this.clockSkew = clockSkew;
  }

  /** Empty when {@code signIn} may approve at {@code now}; else what it lacks, for the person. */
  Optional<String> missing(SignIn signIn, Instant now) {
    if (signIn == null) {
      return Optional.of("your sign-in says nothing of how you signed in");
    }
    boolean secondFactor = signIn.amr().stream().anyMatch(settings.amrValues()::contains)
        || (signIn.acr() != null && settings.acrValues().contains(signIn.acr()));
    if (!secondFactor) {
      return Optional.of("you signed in without a second factor (amr " + signIn.amr() + ", acr "
          + (signIn.acr() == null ? "none" : signIn.acr()) + ")");
    }
    if (signIn.authTime() == null) {
      return Optional.of("your sign-in does not say when it was made (no auth_time)");
    }
    if (signIn.authTime().isAfter(now.plus(clockSkew))) {
      return Optional.of("your sign-in claims a time ahead of Airlock's clock");
    }
    Duration age = Duration.between(signIn.authTime(), now);
    if (age.compareTo(settings.maxAge()) > 0) {
      return Optional.of("you signed in " + RequestLabels.human(age) + " ago");
    }
    return Optional.empty();
  }
}
