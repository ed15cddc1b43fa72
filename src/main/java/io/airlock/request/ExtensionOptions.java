package io.airlock.request;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * How much more time policy can allow active access now, and the choices to offer: the usual
 * steps (15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 12 h) up to what is left of the scope's maximum, and
 * that rest itself. The scope's maximum counts from the first grant of the chain of reworks
 * ({@code chainStart}), so an extension may end at most at {@code chainStart + maximum}: that
 * is {@link #latestEnd}, and {@link #maximum} is how much later than the current end it is.
 * Empty {@link #options} with a {@link #reason} in words when nothing can be allowed.
 *
 * @param requestId the request whose access would be extended
 * @param currentEnd when that access ends now (null when it is not active)
 * @param latestEnd the latest end policy allows (null when unknown)
 * @param maximum the most that may be added now (zero when nothing)
 * @param options the choices, shortest first, each with its new end
 * @param reason why nothing can be added (null when something can)
 */
public record ExtensionOptions(String requestId, Instant currentEnd, Instant latestEnd, Duration maximum,
    List<Option> options, String reason) {

  /** The usual steps, in minutes. */
  static final List<Long> STEPS = List.of(15L, 30L, 60L, 120L, 240L, 480L, 720L);

  public ExtensionOptions {
    options = options == null ? List.of() : List.copyOf(options);
    maximum = maximum == null ? Duration.ZERO : maximum;
  }

  /**
   * One choice: {@code by} more, ending at {@code newEnd}; {@code label} as people say it ("1 h");
   * {@code rest} when it is all that is left of the scope's maximum.
   */
  public record Option(Duration by, Instant newEnd, String label, boolean rest) {

    /** "1 h · until 15:30 UTC", or "3 h 30 min, the most policy allows · until 18:00 UTC". */
    public String describe(ZoneId zone, Instant now) {
      return label + (rest ? ", the most policy allows" : "") + " · until " + RequestLabels.time(newEnd, now, zone);
    }
  }

  /** Whether anything can be added now. */
  public boolean possible() {
    return !options.isEmpty();
  }

  /** Nothing can be added, because {@code reason}. */
  public static ExtensionOptions none(AccessRequest r, String reason) {
    return new ExtensionOptions(r.getId(), r.getStatus() != null && r.getStatus().mayHoldAccess() ? r.getGrantEnd() : null, null,
        Duration.ZERO, List.of(), reason);
  }

  /**
   * What policy can allow request {@code r} now: it must be ACTIVE with an end that has not
   * passed, and its scope's maximum ({@code maxDurationMinutes}, from the first grant) must leave
   * at least a minute after its current end. The rest is rounded down to whole minutes.
   */
  public static ExtensionOptions of(AccessRequest r, Instant now) {
    if (r.getStatus() != RequestStatus.ACTIVE || r.getGrantEnd() == null || r.getGrantStart() == null) {
      return none(r, "Only active access can be extended; this request is " + words(r.getStatus()));
    }
    return forGrant(r, now);
  }

  /**
   * {@link #of} for a grant on its way: the "Your access" task is created as the grant is sent,
   * before AWS confirms it (GRANTING with its start and end on record). The arithmetic is the
   * same; {@link RequestChanges#extend} still needs the access ACTIVE.
   */
  public static ExtensionOptions forGrant(AccessRequest r, Instant now) {
    if (r.getStatus() == null || !r.getStatus().mayHoldAccess() || r.getGrantEnd() == null
        || r.getGrantStart() == null) {
      return none(r, "Only active access can be extended; this request is " + words(r.getStatus()));
    }
    if (!now.isBefore(r.getGrantEnd())) {
      return none(r, "This access has ended");
    }
    if (r.getMaxDurationMinutes() == null || r.getMaxDurationMinutes() <= 0) {
      return none(r, "Policy names no maximum duration for this access, so it cannot be extended");
    }
    Duration max = Duration.ofMinutes(r.getMaxDurationMinutes());
    Instant chainStart = r.getChainStart() != null ? r.getChainStart() : r.getGrantStart();
    Instant latest = chainStart.plus(max);
    Duration left = Duration.between(r.getGrantEnd(), latest);
    Duration rest = Duration.ofMinutes(Math.max(0, left.toMinutes()));
    if (rest.isZero()) {
      return new ExtensionOptions(r.getId(), r.getGrantEnd(), latest, Duration.ZERO, List.of(),
          "This access already runs for its scope's maximum of " + RequestLabels.human(max)
              + (r.getScopeName() == null ? "" : " ('" + r.getScopeName() + "')") + " from its first grant");
    }
    List<Option> options = new ArrayList<>();
    for (long m : STEPS) {
      Duration by = Duration.ofMinutes(m);
      if (by.compareTo(rest) < 0) {
        options.add(new Option(by, r.getGrantEnd().plus(by), RequestLabels.human(by), false));
      }
    }
    options.add(new Option(rest, r.getGrantEnd().plus(rest), RequestLabels.human(rest), true));
    return new ExtensionOptions(r.getId(), r.getGrantEnd(), latest, rest, options, null);
  }

  /**
   * Whether {@code by} may be asked for now; the refusal, naming the most that may be, otherwise:
   * "at most 1 h 30 min more: this access may last until 16:00 UTC, 4 h from its first grant".
   */
  public java.util.Optional<String> refusal(Duration by, ZoneId zone, Instant now) {
    if (!possible()) {
      return java.util.Optional.of(reason);
    }
    if (by.compareTo(maximum) <= 0) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of("is more than policy can allow: at most " + RequestLabels.human(maximum)
        + " more, until " + RequestLabels.time(latestEnd, now, zone) + " (the scope's maximum counts from the first "
        + "grant)");
  }

  private static String words(RequestStatus status) {
    return status == null ? "not active" : status.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }
}
