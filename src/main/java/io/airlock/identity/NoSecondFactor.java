package io.airlock.identity;

import io.airlock.request.SecondFactor;
import java.util.Optional;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The embedded default (Camunda's own users, a demo): people sign in with a password only, there is
 * no second factor to ask for, and approvals are not gated on one (README, "Keycloak": step-up).
 */
@Component
@Profile("!keycloak")
class NoSecondFactor implements SecondFactor {

  @Override
  public Optional<Missing> missing() {
    return Optional.empty();
  }
}
