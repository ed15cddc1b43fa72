package io.airlock.request;

import java.time.Duration;
import java.util.List;

/**
 * Well-formed input that policy can never allow as it stands (HTTP 422), such as more time than
 * the scope's maximum leaves: names the field and the most that is allowed. Nothing has been
 * changed.
 */
public class BeyondPolicyException extends InvalidRequestException {

  private final Duration maximum;

  public BeyondPolicyException(String field, String message, Duration maximum) {
    super(List.of(new FieldError(field, message)));
    this.maximum = maximum;
  }

  /** The most policy allows now (zero: nothing). */
  public Duration maximum() {
    return maximum;
  }
}
