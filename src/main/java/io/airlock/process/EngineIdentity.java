package io.airlock.process;

import java.util.List;
import java.util.function.Supplier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;

/**
 * The one way Airlock runs engine calls as somebody else: as a user (so authorizations, the
 * initiator and the task guards see that user), or as Airlock itself (no user: the engine checks
 * no authorization, as for a job). The caller's own authentication is put back afterwards,
 * whatever happens.
 */
public final class EngineIdentity {

  private EngineIdentity() {}

  /** Runs {@code work} as {@code userId} in {@code groups}; with no user, as Airlock. */
  public static <T> T as(IdentityService identity, String userId, List<String> groups, Supplier<T> work) {
    Authentication previous = identity.getCurrentAuthentication();
    if (userId == null) {
      identity.clearAuthentication();
    } else {
      identity.setAuthentication(userId, groups);
    }
    try {
      return work.get();
    } finally {
      if (previous == null) {
        identity.clearAuthentication();
      } else {
        identity.setAuthentication(previous);
      }
    }
  }

  /** Runs {@code work} as Airlock itself: what it reads or does does not depend on the caller. */
  public static <T> T asAirlock(IdentityService identity, Supplier<T> work) {
    return as(identity, null, null, work);
  }
}
