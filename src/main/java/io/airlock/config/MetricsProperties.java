package io.airlock.config;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who reads the metrics ({@code airlock.metrics.*}).
 *
 * @param group the monitoring group: machines (Prometheus' account; Keycloak's {@code airlock-metrics}
 *              service account) that read {@code /actuator/prometheus} and nothing else. A member
 *              of it is answered 403 everywhere but there, whatever other groups it is in.
 */
@Validated
@ConfigurationProperties(prefix = "airlock.metrics")
public record MetricsProperties(@NotBlank @DefaultValue("airlock-monitoring") String group) {}
