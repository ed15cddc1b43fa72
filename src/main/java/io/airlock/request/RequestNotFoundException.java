package io.airlock.request;

public class RequestNotFoundException extends RuntimeException {
  public RequestNotFoundException(String id) {
    super("No access request with id " + id);
  }
}
