package io.airlock.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the in-process AWS emulator.
 *
 * @param port                 TCP port on 127.0.0.1; 0 picks a random free port
 * @param operationDelay       how long asynchronous Identity Center operations stay IN_PROGRESS
 * @param maxCallsPerSecond    sso-admin + identitystore calls allowed in any one-second window
 * @param maxCreationsInFlight CreateAccountAssignment requests allowed IN_PROGRESS at once
 * @param externalId           the ExternalId AssumeRole requires
 * @param operationDelaySpread when set, each asynchronous operation's delay is drawn from it
 *                             instead of {@code operationDelay}; null: always {@code operationDelay}
 * @param organization         how large an organization to seed beside the demo one
 *                             ({@link OrganizationScale#DEMO}: the demo organization alone)
 */
public record SandboxSettings(int port, Duration operationDelay, int maxCallsPerSecond,
                              int maxCreationsInFlight, String externalId, DelaySpread operationDelaySpread,
                              OrganizationScale organization) {

    public SandboxSettings(int port, Duration operationDelay, int maxCallsPerSecond, int maxCreationsInFlight,
                           String externalId, DelaySpread operationDelaySpread) {
        this(port, operationDelay, maxCallsPerSecond, maxCreationsInFlight, externalId, operationDelaySpread,
                OrganizationScale.DEMO);
    }

    public SandboxSettings(int port, Duration operationDelay, int maxCallsPerSecond, int maxCreationsInFlight,
                           String externalId) {
        this(port, operationDelay, maxCallsPerSecond, maxCreationsInFlight, externalId, null);
    }

    public SandboxSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        Objects.requireNonNull(operationDelay, "operationDelay");
        if (operationDelay.isNegative()) {
            throw new IllegalArgumentException("operationDelay must not be negative");
        }
        if (maxCallsPerSecond < 1) {
            throw new IllegalArgumentException("maxCallsPerSecond must be positive");
        }
        if (maxCreationsInFlight < 1) {
            throw new IllegalArgumentException("maxCreationsInFlight must be positive");
        }
        Objects.requireNonNull(externalId, "externalId");
        organization = organization == null ? OrganizationScale.DEMO : organization;
    }

    /** Port 4566, 1 s operation delay, 20 calls/s, 15 creations in flight, external id "airlock-sandbox". */
    public static SandboxSettings defaults() {
        return new SandboxSettings(4566, Duration.ofSeconds(1), 20, 15, "airlock-sandbox");
    }

    public SandboxSettings withPort(int newPort) {
        return new SandboxSettings(newPort, operationDelay, maxCallsPerSecond, maxCreationsInFlight, externalId, operationDelaySpread, organization);
    }

    public SandboxSettings withOperationDelay(Duration newDelay) {
        return new SandboxSettings(port, newDelay, maxCallsPerSecond, maxCreationsInFlight, externalId, operationDelaySpread, organization);
    }

    public SandboxSettings withMaxCallsPerSecond(int newMax) {
        return new SandboxSettings(port, operationDelay, newMax, maxCreationsInFlight, externalId, operationDelaySpread, organization);
    }

    public SandboxSettings withMaxCreationsInFlight(int newMax) {
        return new SandboxSettings(port, operationDelay, maxCallsPerSecond, newMax, externalId, operationDelaySpread, organization);
    }

    public SandboxSettings withExternalId(String newExternalId) {
        return new SandboxSettings(port, operationDelay, maxCallsPerSecond, maxCreationsInFlight, newExternalId, operationDelaySpread, organization);
    }

    public SandboxSettings withOperationDelaySpread(DelaySpread newSpread) {
        return new SandboxSettings(port, operationDelay, maxCallsPerSecond, maxCreationsInFlight, externalId, newSpread, organization);
    }

    public SandboxSettings withOrganization(OrganizationScale newOrganization) {
        return new SandboxSettings(port, operationDelay, maxCallsPerSecond, maxCreationsInFlight, externalId,
                operationDelaySpread, newOrganization);
    }
}
