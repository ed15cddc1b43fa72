package io.airlock.request;

/** AWS refused the change for a reason retrying will not fix (a business outcome). */
public class AccessRejectedException extends RuntimeException {
  public AccessRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
