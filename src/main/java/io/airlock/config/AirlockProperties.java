package io.airlock.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Everything under {@code airlock.*}, validated at start-up so a bad setting fails fast. */
@Validated
@ConfigurationProperties(prefix = "airlock")
public record AirlockProperties(
    @Valid @NotNull Request request,
    @Valid @NotNull Groups groups,
    @Valid @NotNull Demo demo,
    @Valid @NotNull Models models,
    @Valid @NotNull Aws aws,
    @Valid @NotNull Inventory inventory,
    @Valid @NotNull Craft craft,
    @Valid @NotNull Principals principals,
    @Valid @NotNull Reconciler reconciler,
    @Valid @NotNull Policy policy,
    @Valid @NotNull Cluster cluster) {

  /**
   * Several nodes on one database. {@code shutdownGrace}: at a stop the node stops taking jobs,
   * hands back those not started, and waits this long for the ones running to finish.
   */
  public record Cluster(@NotNull Duration shutdownGrace) {}

  /** Bounds every request must respect, whatever the policy says. */
  public record Request(
      @NotNull Duration minDuration,
      @NotNull Duration maxDuration,
      @Min(1) @Max(10000) int maxJustificationLength) {}

  /**
   * Camunda group ids of Airlock's roles (Keycloak groups in production). {@code policyAuthors}:
   * who may deploy models (Camunda Modeler's Deploy button, the engine REST API).
   */
  public record Groups(
      @NotBlank String requesters,
      @NotBlank String approvers,
      @NotBlank String auditors,
      @NotBlank String operators,
      @NotBlank String admins,
      @NotBlank String policyAuthors,
      @NotBlank String policyApprovers,
      @NotBlank String security) {

    /** Groups whose members may read every request, not only their own. */
    public List<String> readAll() {
      return List.of(approvers, auditors, operators, admins);
    }

    /**
     * The configured names by role, as the decision tables see them (the variable
     * {@code groups}: {@code groups.approvers}, ...), so renaming a group keeps policy working.
     */
    public java.util.Map<String, String> byRole() {
      java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
      m.put("requesters", requesters);
      m.put("approvers", approvers);
      m.put("auditors", auditors);
      m.put("operators", operators);
      m.put("admins", admins);
      m.put("policyAuthors", policyAuthors);
      m.put("policyApprovers", policyApprovers);
      m.put("security", security);
      return java.util.Collections.unmodifiableMap(m);
    }
  }

  /** Demo users of the default profile. */
  public record Demo(@NotBlank String password) {}

  /** Models (BPMN, DMN, forms) deployed at start-up. */
  public record Models(@NotBlank String deploymentName, @NotEmpty List<String> patterns) {}

  /**
   * AWS access. Blank endpoint, role and instance mean: SDK defaults, discovered instance.
   * {@code firstPollDelay}: how long after creating or deleting an account assignment its status
   * is first asked for (then after {@code nextPollDelay}, doubling up to {@code maxPollDelay},
   * until {@code operationTimeout}). {@code callsPerSecond} and {@code creationsInFlight}: this
   * node's share of the Identity Center quotas. {@code endSessionsOnRevoke}: the session-ending
   * deny at every revoke, removed after its sessions expired (looked for every
   * {@code sessionDenyCleanupInterval}).
   */
  public record Aws(
      @NotBlank String region,
      String endpoint,
      String instanceArn,
      String identityStoreId,
      String roleArn,
      String externalId,
      @NotNull Duration callTimeout,
      @NotNull Duration attemptTimeout,
      @NotNull Duration operationTimeout,
      @NotNull Duration firstPollDelay,
      @NotNull Duration nextPollDelay,
      @NotNull Duration maxPollDelay,
      @Min(1) int callsPerSecond,
      @Min(1) int creationsInFlight,
      boolean endSessionsOnRevoke,
      @NotNull Duration sessionDenyCleanupInterval,
      @Valid @NotNull Sandbox sandbox) {

    /** The settings as the tests build them: AWS's quotas, AWS's usual poll waits, sessions ended. */
    public static Aws of(String region, String endpoint, String roleArn, Duration callTimeout,
        Duration attemptTimeout, Duration operationTimeout, Duration firstPollDelay, Sandbox sandbox) {
      return new Aws(region, endpoint, null, null, roleArn, null, callTimeout, attemptTimeout, operationTimeout,
          firstPollDelay, Duration.ofMillis(750), Duration.ofMillis(1500), 20, 15, true, Duration.ofMinutes(1),
          sandbox);
    }
  }

  /** The in-process AWS emulator used when no AWS is configured. */
  public record Sandbox(boolean enabled, @Min(0) @Max(65535) int port, @NotNull Duration operationDelay) {}

  /** The scheduled scan of AWS into Airlock's inventory tables. */
  public record Inventory(boolean scheduled, @NotNull Duration initialDelay, @NotNull Duration interval) {}

  /** Crafted (least-privilege, per-request) permission sets. */
  public record Craft(
      @NotBlank @jakarta.validation.constraints.Pattern(regexp = "[\\w+=,.@-]{1,16}") String namePrefix,
      @NotNull Duration cleanupInterval,
      @NotEmpty List<String> readOnlyServices) {}

  /**
   * Who a signed-in user is in IAM Identity Center: {@code names} (sign-in name → Identity
   * Center user name) first, else {@code nameTemplate} with {user} replaced by the sign-in name.
   */
  public record Principals(
      @NotBlank @jakarta.validation.constraints.Pattern(regexp = ".*\\{user\\}.*",
          message = "must contain {user}") String nameTemplate,
      java.util.Map<String, String> names) {}

  /**
   * The reconciler: every {@code interval} it revokes access whose request's process is gone
   * or whose end passed more than {@code grace} ago (also a grant sent to AWS and never
   * confirmed), and asks AWS about a grant sent more than {@code unconfirmedAfter} ago and still
   * not confirmed: confirmed (ACTIVE until its recorded end) when the assignment is there.
   */
  public record Reconciler(boolean scheduled, @NotNull Duration interval, @NotNull Duration grace,
      @NotNull @org.springframework.boot.context.properties.bind.DefaultValue("PT3M") Duration unconfirmedAfter) {}

  /**
   * What the decision tables are given besides the request: {@code ticketPattern} finds a
   * ticket reference (e.g. INC-123) in the ticket field or the justification (the variable
   * {@code ticketReference}); {@code timeZone} is the zone of {@code dayOfWeek},
   * {@code hourOfDay} and {@code localTime}; {@code simulationLimit} the default number of
   * recent requests a simulation replays, {@code simulationMaxLimit} the most it may be asked for.
   */
  public record Policy(
      @NotBlank String ticketPattern,
      @NotNull java.time.ZoneId timeZone,
      @Min(1) int simulationLimit,
      @Min(1) int simulationMaxLimit) {

    public Policy {
      if (ticketPattern != null) {
        java.util.regex.Pattern.compile(ticketPattern); // a bad pattern fails the start, naming it
      }
    }

    public java.util.regex.Pattern compiledTicketPattern() {
      return java.util.regex.Pattern.compile(ticketPattern);
    }
  }
}
