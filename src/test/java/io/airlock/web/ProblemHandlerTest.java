package io.airlock.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;

/** A lost race answers 409 whatever wraps it; any other engine failure stays an error. */
class ProblemHandlerTest {

  private final ProblemHandler handler = new ProblemHandler();

  @Test
  void aDeadlockVictimInsideAnEngineCommandIsAConflict() {
    ProcessEngineException wrapped = new ProcessEngineException("listener failed",
        new RuntimeException(new SQLException("deadlock detected", "40P01")));
    assertThat(handler.engine(wrapped).getStatus()).isEqualTo(409);
    assertThat(handler.engine(wrapped).getDetail()).contains("nothing was changed by this call");
  }

  @Test
  void aStaleEntityAndASpringLockFailureAreConflicts() {
    assertThat(handler.engine(new OptimisticLockingException("stale")).getStatus()).isEqualTo(409);
    assertThat(handler.engine(new ProcessEngineException("x", new CannotAcquireLockException("lock"))).getStatus())
        .isEqualTo(409);
  }

  @Test
  void anyOtherEngineFailureIsNotDressedUpAsAConflict() {
    ProcessEngineException other = new ProcessEngineException("boom", new SQLException("syntax", "42601"));
    assertThatThrownBy(() -> handler.engine(other)).isSameAs(other);
  }
}
