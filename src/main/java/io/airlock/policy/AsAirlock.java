package io.airlock.policy;

import java.util.function.Supplier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;

/**
 * Runs engine reads as Airlock itself (no authentication, so no authorization checks), then puts
 * the caller's authentication back: policy is judged on the stored request, whoever asks.
 */
public final class AsAirlock {

  private AsAirlock() {}

  public static <T> T run(IdentityService identity, Supplier<T> work) {
    Authentication previous = identity.getCurrentAuthentication();
    identity.clearAuthentication();
    try {
      return work.get();
    } finally {
      if (previous != null) {
        identity.setAuthentication(previous);
      }
    }
  }
}
