package io.airlock.sandbox;

import java.net.URI;

/**
 * The AWS emulator Airlock talks to in sandbox mode: the in-process {@link AwsSandbox} (the
 * embedded default), or a standalone one ({@link SandboxMain}) at
 * {@code airlock.aws.sandbox.endpoint}, whose state outlives Airlock's restarts.
 */
public interface SandboxEndpoint {

  /** The base URI the SDK clients are pointed at, e.g. http://127.0.0.1:4566. */
  URI endpoint();

  /** The external id the emulated STS requires on AssumeRole. */
  String externalId();

  /** A standalone emulator at {@code endpoint}, started with the default settings' external id. */
  record Remote(URI endpoint, String externalId) implements SandboxEndpoint {}
}
