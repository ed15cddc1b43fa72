package io.airlock.request;

/** A grant or revoke did not complete (FAILED, time-out, throttling, network): retry it. */
public class AccessOperationException extends RuntimeException {
  public AccessOperationException(String message) {
    super(message);
  }

  public AccessOperationException(String message, Throwable cause) {
    super(message, cause);
  }
}
