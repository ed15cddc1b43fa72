package io.airlock.process;

import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.BadUserRequestException;

/**
 * A refusal of Airlock's use cases, as the engine's own exceptions, so every surface answers
 * it alike: the engine REST API and the webapps' (Tasklist, Cockpit) with 403 or 400 and the
 * message, Airlock's API with problem+json (the domain exception stays the cause).
 */
final class EngineErrors {

  private EngineErrors() {}

  static void translate(Runnable step) {
    try {
      step.run();
    } catch (ForbiddenActionException e) {
      AuthorizationException refused = new AuthorizationException(e.getMessage());
      refused.initCause(e);
      throw refused;
    } catch (InvalidRequestException e) {
      throw new BadUserRequestException(e.getMessage(), e);
    }
  }
}
