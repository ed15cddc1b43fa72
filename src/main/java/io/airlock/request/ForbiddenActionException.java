package io.airlock.request;

/** The signed-in user may not do this (e.g. approve their own request). Nothing changed. */
public class ForbiddenActionException extends RuntimeException {
  public ForbiddenActionException(String message) {
    super(message);
  }
}
