package io.airlock.request;

public class RequestNotFoundException extends RuntimeException {
  public RequestNotFoundException(String id) {
    super("No access request with id " + id);
  }

  /** Something else the caller may not see or that does not exist, with its own message. */
  public RequestNotFoundException(String message, boolean custom) {
    super(message);
  }
}
