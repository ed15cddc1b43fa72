package io.airlock.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import io.airlock.request.ForbiddenActionException;
import org.junit.jupiter.api.Test;

/** A refusal is one WARN line: Camunda's ERROR and the job executor's repeat of it are dropped. */
class RefusalLogFilterTest {

  private final LoggerContext context = new LoggerContext();
  private final RefusalLogFilter filter = new RefusalLogFilter();

  RefusalLogFilterTest() {
    filter.addLogger("org.camunda.bpm.engine.context");
    filter.addQuietLogger("org.camunda.bpm.engine.jobexecutor");
    filter.addRefusal(ForbiddenActionException.class.getName());
    filter.start();
  }

  @Test
  void theJobExecutorsRepeatOfARefusalIsDroppedAndAnyOtherWarningKept() {
    Logger jobs = context.getLogger("org.camunda.bpm.engine.jobexecutor");
    RuntimeException refused = new RuntimeException("job failed", new ForbiddenActionException("Refused to grant r-1"));

    assertThat(filter.decide(null, jobs, Level.WARN, "ENGINE-14006 Exception while executing job {}: ",
        new Object[] {"j-1", refused}, null)).isEqualTo(FilterReply.DENY);
    assertThat(filter.decide(null, jobs, Level.WARN, "ENGINE-14006 Exception while executing job {}: ", null,
        new IllegalStateException("AWS is down"))).isEqualTo(FilterReply.NEUTRAL);
    assertThat(filter.decide(null, jobs, Level.INFO, "starting", null, null)).isEqualTo(FilterReply.NEUTRAL);
  }

  @Test
  void camundasErrorForARefusalIsDroppedOnlyOnTheWatchedLogger() {
    Logger engine = context.getLogger("org.camunda.bpm.engine.context");
    Logger other = context.getLogger("org.camunda.bpm.engine.rest.exception");
    ForbiddenActionException refused = new ForbiddenActionException("Refused to grant r-1");

    assertThat(filter.decide(null, engine, Level.ERROR, "ENGINE-16004", null, refused)).isEqualTo(FilterReply.DENY);
    assertThat(filter.decide(null, engine, Level.WARN, "ENGINE-16004", null, refused)).isEqualTo(FilterReply.NEUTRAL);
    assertThat(filter.decide(null, other, Level.ERROR, "ENGINE-REST", null, refused)).isEqualTo(FilterReply.NEUTRAL);
  }
}
