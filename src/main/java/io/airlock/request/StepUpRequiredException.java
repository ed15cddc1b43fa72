package io.airlock.request;

/**
 * An approval refused because the approver's sign-in holds no second factor recent enough
 * ({@link StepUp}). Nothing changed; signing in again with the second factor, then approving
 * again, succeeds. Surfaces answer it as RFC 9470's {@code insufficient_user_authentication}.
 */
public class StepUpRequiredException extends ForbiddenActionException {

  private final SecondFactor.Missing missing;

  public StepUpRequiredException(String message, SecondFactor.Missing missing) {
    super(message);
    this.missing = missing;
  }

  public SecondFactor.Missing missing() {
    return missing;
  }
}
