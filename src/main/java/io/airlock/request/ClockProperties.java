package io.airlock.request;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * One clock ({@code airlock.clock.*}): the node compares its clock with the database's.
 *
 * @param tolerance     how far the two may differ before the node refuses to grant or revoke
 * @param checkInterval how often the node measures the difference (and at start)
 */
@Validated
@ConfigurationProperties(prefix = "airlock.clock")
public record ClockProperties(
    @NotNull @DefaultValue("PT2S") Duration tolerance,
    @NotNull @DefaultValue("PT30S") Duration checkInterval) {}
