package io.airlock.sandbox;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The emulator's own settings ({@code airlock.aws.sandbox.*}; whether it runs, its port and its
 * latency are Airlock's, in {@code AirlockProperties.Sandbox}).
 *
 * @param endpoint             empty: the emulator runs in-process; {@code http://127.0.0.1:<port>}:
 *                             the standalone emulator ({@link SandboxMain}), whose state outlives
 *                             Airlock's restarts
 * @param demoActivity         the emulated CloudTrail makes up a few events of a user once an
 *                             assignment is created, so that the demo has session activity to show
 * @param s3Folder             where the emulated S3 keeps its objects across restarts; empty: beside
 *                             the embedded H2 file database, in memory with any other database
 * @param maxCallsPerSecond    the Identity Center quota it enforces (AWS's: 20); benchmarks lift it
 * @param maxCreationsInFlight account-assignment creations in flight it allows (AWS's: 15)
 * @param operationDelaySpread latencies drawn from a spread ({@code 0.5s..10s}) instead of the
 *                             fixed {@code operation-delay}; empty: the fixed one
 * @param operationDelaySeed   the spread's seed, so a benchmark draws the same latencies each run
 */
@ConfigurationProperties(prefix = "airlock.aws.sandbox")
public record EmulatorProperties(
    @DefaultValue("") String endpoint,
    @DefaultValue("true") boolean demoActivity,
    @DefaultValue("") String s3Folder,
    @DefaultValue("20") int maxCallsPerSecond,
    @DefaultValue("15") int maxCreationsInFlight,
    @DefaultValue("") String operationDelaySpread,
    @DefaultValue("1") long operationDelaySeed) {}
