package io.airlock.activity;

/** CloudTrail could not be read (no reader role, access denied, quota saturated, AWS down): HTTP 502. */
public class ActivityUnavailableException extends RuntimeException {

  public ActivityUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
