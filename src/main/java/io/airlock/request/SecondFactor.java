package io.airlock.request;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the person acting now signed in, as far as approving needs it: whether their sign-in (the
 * browser session's, or the bearer token's) holds a second factor recent enough. Answered from
 * the current authentication by the identity adapter: Keycloak's {@code amr}, {@code acr} and
 * {@code auth_time}; the embedded default, which has no second factor, never asks for one.
 */
public interface SecondFactor {

  /** What the current sign-in lacks to approve, or empty when it may. */
  Optional<Missing> missing();

  /**
   * Why the current sign-in does not do to approve, and what would.
   *
   * @param reason what the sign-in lacks, for the person ("you signed in 42 min ago")
   * @param maxAge how recent the sign-in with a second factor must be
   * @param acrValues the authentication context classes that would do (may be empty)
   * @param bearer whether the caller came with a bearer token (a new token is the way) rather than
   *     a browser session (signing in again through the step-up page is)
   */
  record Missing(String reason, Duration maxAge, List<String> acrValues, boolean bearer) {

    public Missing {
      acrValues = acrValues == null ? List.of() : List.copyOf(acrValues);
    }
  }
}
