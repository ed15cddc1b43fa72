package io.airlock.request;

import java.util.List;

/**
 * A rework that asks for more than the access it changes (HTTP 422): names the field and where
 * to ask for it instead, a new request ({@code newRequest}, Airlock's page with the values
 * filled in). Nothing has been changed.
 */
public class WiderThanOriginalException extends InvalidRequestException {

  private final String newRequest;

  public WiderThanOriginalException(String field, String message, String newRequest) {
    super(List.of(new FieldError(field, message)));
    this.newRequest = newRequest;
  }

  /** Where to ask for it as a new request: Airlock's page, with the account and permission filled in. */
  public String newRequest() {
    return newRequest;
  }
}
