package io.airlock.request;

/** The request is not in a state that allows this action (e.g. revoke a denied request). */
public class ConflictingStateException extends RuntimeException {
  public ConflictingStateException(String message) {
    super(message);
  }
}
