package io.airlock.request;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Drift reconciliation ({@code airlock.drift.*}, {@code bpmn/inventory-scan.bpmn}).
 *
 * @param cron           when the process starts on its own: a Camunda (Quartz) cron expression,
 *                       seconds first; hourly by default
 * @param removeStanding standing access (not from Airlock) to remove, not only report: an
 *                       assignment is removed when its account is in {@code accounts} and its
 *                       permission set (name or ARN) in {@code permissionSets}; both empty by
 *                       default, so nothing is removed
 */
@Validated
@ConfigurationProperties(prefix = "airlock.drift")
public record DriftProperties(
    @NotBlank @DefaultValue("0 0 * * * ?") String cron,
    @Valid @NotNull @DefaultValue RemoveStanding removeStanding) {

  public record RemoveStanding(@DefaultValue List<String> accounts, @DefaultValue List<String> permissionSets) {

    /** Whether configuration names this assignment's account and permission set. */
    public boolean covers(String accountId, String permissionSetArn, String permissionSetName) {
      return accounts.contains(accountId)
          && (permissionSets.contains(permissionSetArn) || permissionSets.contains(permissionSetName));
    }
  }
}
