package io.airlock.identity;

import io.airlock.request.SecondFactor;
import io.airlock.request.StepUpRequiredException;

/**
 * How an approval refused for want of a recent second factor is answered: to a bearer token, RFC
 * 9470's {@code 401} with {@code WWW-Authenticate: Bearer error="insufficient_user_authentication"}
 * and what would do ({@code max_age}, {@code acr_values}); to a browser session, {@code 403} with
 * the step-up page ({@value #STEP_UP}) that signs the person in again and brings them back.
 */
public final class StepUpAnswer {

  /** The browser's step-up (identity.KeycloakStepUp). */
  public static final String STEP_UP = "/login/step-up";

  private StepUpAnswer() {}

  /** The step-up refusal among {@code e} and its causes, or null. */
  public static StepUpRequiredException of(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StepUpRequiredException s) {
        return s;
      }
    }
    return null;
  }

  public static String wwwAuthenticate(SecondFactor.Missing m) {
    StringBuilder s = new StringBuilder("Bearer error=\"insufficient_user_authentication\", error_description=\"")
        .append("Sign in with a second factor within the last ").append(m.maxAge().toSeconds())
        .append(" s to approve\", max_age=").append(m.maxAge().toSeconds());
    if (!m.acrValues().isEmpty()) {
      s.append(", acr_values=\"").append(String.join(" ", m.acrValues())).append('"');
    }
    return s.toString();
  }
}
