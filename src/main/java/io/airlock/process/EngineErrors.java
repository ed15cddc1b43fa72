package io.airlock.process;

import io.airlock.logging.LogSafe;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.BadUserRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A refusal of Airlock's use cases, as the engine's own exceptions, so every surface answers
 * it alike: the engine REST API and the webapps' (Tasklist, Cockpit) with 403 or 400 and the
 * message, Airlock's API with problem+json (the domain exception stays the cause).
 */
final class EngineErrors {

  private EngineErrors() {}

  private static final Logger REFUSALS = LoggerFactory.getLogger("io.airlock.refused");

  static void translate(Runnable step) {
    answer(() -> {
      step.run();
      return null;
    });
  }

  /** As {@link #translate(Runnable)}, for a step that answers. */
  static <T> T answer(java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (ForbiddenActionException | InvalidRequestException e) {
      // One line: a refusal is no error of Airlock's (Camunda logs these engine exceptions at debug).
      REFUSALS.warn("Refused: {}: {}", e.getClass().getSimpleName(), LogSafe.of(e.getMessage()));
      throw engineException(e);
    }
  }

  private static RuntimeException engineException(RuntimeException e) {
    if (e instanceof ForbiddenActionException) {
      AuthorizationException refused = new AuthorizationException(e.getMessage());
      refused.initCause(e);
      return refused;
    }
    return new BadUserRequestException(e.getMessage(), e);
  }
}
