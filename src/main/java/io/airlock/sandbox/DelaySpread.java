package io.airlock.sandbox;

import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A long-tailed spread of operation latencies for the emulator, as AWS shows them: most
 * assignments take a second or two, a few take many. Latencies are drawn from a log-normal
 * distribution whose 5th percentile is {@code min} and whose 99th percentile is {@code max};
 * draws outside {@code [min, max]} are clipped to it (so about 5 % take exactly {@code min} and
 * 1 % exactly {@code max}). For {@code 0.5s..10s}: median 1.73 s, mean about 2.3 s.
 *
 * <p>Draws come from one seeded generator, so a run with the same seed and the same order of
 * operations sees the same latencies.
 *
 * @param min  5th percentile and lower clip, positive
 * @param max  99th percentile and upper clip, above {@code min}
 * @param seed seed of the generator
 */
public record DelaySpread(Duration min, Duration max, long seed) {

  /** z of the 5th and the 99th percentile of the standard normal distribution. */
  static final double Z_05 = -1.6448536269514722;
  static final double Z_99 = 2.3263478740408408;

  private static final Pattern SPREAD = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s)\\s*\\.\\.\\s*"
      + "(\\d+(?:\\.\\d+)?)\\s*(ms|s)\\s*");

  public DelaySpread {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative() || min.isZero()) {
      throw new IllegalArgumentException("the spread's minimum must be positive: " + min);
    }
    if (max.compareTo(min) <= 0) {
      throw new IllegalArgumentException("the spread's maximum must be above its minimum: " + min + ".." + max);
    }
  }

  /**
   * Parses {@code 0.5s..10s} (units {@code s} or {@code ms}); blank or null means no spread.
   *
   * @throws IllegalArgumentException naming the text when it is not of that form
   */
  public static DelaySpread parse(String text, long seed) {
    if (text == null || text.isBlank()) {
      return null;
    }
    Matcher m = SPREAD.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("operation-delay-spread must look like 0.5s..10s: '" + text + "'");
    }
    return new DelaySpread(duration(m.group(1), m.group(2)), duration(m.group(3), m.group(4)), seed);
  }

  private static Duration duration(String number, String unit) {
    double millis = Double.parseDouble(number) * (unit.equals("s") ? 1000 : 1);
    return Duration.ofNanos(Math.round(millis * 1_000_000));
  }

  /** μ of the log-normal (log of the median, seconds). */
  public double mu() {
    double lnMin = Math.log(seconds(min));
    return lnMin - Z_05 * sigma();
  }

  /** σ of the log-normal. */
  public double sigma() {
    return (Math.log(seconds(max)) - Math.log(seconds(min))) / (Z_99 - Z_05);
  }

  /** A sampler with its own generator, seeded with {@link #seed()}. */
  public Sampler sampler() {
    return new Sampler(this);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** Draws latencies; thread-safe. */
  public static final class Sampler {
    private final DelaySpread spread;
    private final double mu;
    private final double sigma;
    private final SplittableRandom random;

    Sampler(DelaySpread spread) {
      this.spread = spread;
      this.mu = spread.mu();
      this.sigma = spread.sigma();
      this.random = new SplittableRandom(spread.seed());
    }

    public synchronized Duration next() {
      double seconds = Math.exp(mu + sigma * gaussian());
      long nanos = Math.round(seconds * 1e9);
      nanos = Math.max(spread.min().toNanos(), Math.min(spread.max().toNanos(), nanos));
      return Duration.ofNanos(nanos);
    }

    /** Box–Muller (SplittableRandom has no nextGaussian on Java 17). */
    private double gaussian() {
      double u1 = 1.0 - random.nextDouble(); // (0, 1]
      double u2 = random.nextDouble();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  }
}
