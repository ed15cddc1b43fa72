package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A command ends with {@code exit} and a sentence for the person; {@code details} (Airlock's
 * problem+json, the catalog's choices) goes to {@code --output json} as it is.
 */
public class CliException extends RuntimeException {

  private final Exit exit;
  private final transient JsonNode details;

  public CliException(Exit exit, String message) {
    this(exit, message, null);
  }

  public CliException(Exit exit, String message, JsonNode details) {
    super(message, null, false, false);
    this.exit = exit;
    this.details = details;
  }

  public Exit exit() {
    return exit;
  }

  public JsonNode details() {
    return details;
  }
}
