package io.airlock.context;

/**
 * A fact from outside cannot be known now (the provider is unreachable, too slow, refused
 * Airlock's key, answered an error); the message says why, in words, as the timeline shows it.
 */
public final class FactUnknown extends RuntimeException {

  public FactUnknown(String message) {
    super(message, null, false, false);
  }
}
