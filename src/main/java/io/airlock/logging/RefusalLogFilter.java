package io.airlock.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * A refused input is not an error of the application. Camunda logs every exception that ends
 * an engine command at ERROR with its stack trace ({@code ENGINE-16004}, logger
 * {@code org.camunda.bpm.engine.context}), including Airlock's refusals thrown by a delegate or
 * listener (bad input, self-approval, a conflicting state). For those, and only those, this
 * filter drops Camunda's ERROR and logs one WARN line naming the refusal instead. Any other
 * throwable, any other level and any other logger pass unchanged.
 *
 * <p>The job executor then says it again ({@code ENGINE-14006}, WARN with the stack trace, logger
 * {@code org.camunda.bpm.engine.jobexecutor}) for a refused job step: such a logger is named
 * with {@code <quietLogger>}, and its WARN or ERROR for a refusal is dropped without a second line.
 *
 * <p>Configured in {@code logback-spring.xml}: {@code <logger>} names the loggers to watch,
 * {@code <refusal>} the exception classes (by name, matched anywhere in the cause chain).
 */
public class RefusalLogFilter extends TurboFilter {

  private static final org.slf4j.Logger REFUSALS = LoggerFactory.getLogger("io.airlock.refused");

  private final List<String> loggers = new ArrayList<>();
  private final List<String> refusals = new ArrayList<>();
  private final List<String> quietLoggers = new ArrayList<>();

  public void addLogger(String name) {
    loggers.add(name.trim());
  }

  public void addQuietLogger(String name) {
    quietLoggers.add(name.trim());
  }

  public void addRefusal(String className) {
    refusals.add(className.trim());
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (logger == null || !level.isGreaterOrEqual(Level.WARN)) {
      return FilterReply.NEUTRAL;
    }
    boolean quiet = quietLoggers.contains(logger.getName());
    if (!quiet && (level != Level.ERROR || !loggers.contains(logger.getName()))) {
      return FilterReply.NEUTRAL;
    }
    Throwable thrown = t != null ? t
        : params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last ? last : null;
    Throwable refusal = refusal(thrown);
    if (refusal == null) {
      return FilterReply.NEUTRAL;
    }
    if (quiet) {
      return FilterReply.DENY;
    }
    if (!translated(thrown, refusal)) {
      REFUSALS.warn("Refused: {}: {}", refusal.getClass().getSimpleName(), LogSafe.of(refusal.getMessage()));
    }
    return FilterReply.DENY;
  }

  /**
   * Whether the refusal reached the engine as one of its own exceptions (Airlock's process
   * steps translate it so every surface answers 403/400), which logged its WARN line already.
   */
  private static boolean translated(Throwable thrown, Throwable refusal) {
    for (Throwable c = thrown; c != null && c != refusal; c = c.getCause() == c ? null : c.getCause()) {
      if (c.getCause() == refusal && TRANSLATIONS.contains(c.getClass().getName())) {
        return true;
      }
    }
    return false;
  }

  private static final List<String> TRANSLATIONS = List.of("org.camunda.bpm.engine.AuthorizationException",
      "org.camunda.bpm.engine.BadUserRequestException");

  private Throwable refusal(Throwable thrown) {
    for (Throwable c = thrown; c != null; c = c.getCause() == c ? null : c.getCause()) {
      for (Class<?> k = c.getClass(); k != null; k = k.getSuperclass()) {
        if (refusals.contains(k.getName())) {
          return c;
        }
      }
    }
    return null;
  }
}
