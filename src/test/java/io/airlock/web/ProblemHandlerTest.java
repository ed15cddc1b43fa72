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

  private final ProblemHandler handler = new ProblemHandler(
      new org.springframework.beans.factory.support.StaticListableBeanFactory().getBeanProvider(io.airlock.audit.AuditLog.class));

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

  @Test
  void theIdentityProviderOrTheDatabaseAwayIs503InWordsNever500() {
    ProcessEngineException keycloakDown = new ProcessEngineException("review failed",
        new org.camunda.bpm.engine.impl.identity.IdentityProviderException(
            "Unable to query groups of user bob", new java.net.ConnectException("Connection refused")));
    var p = handler.engine(keycloakDown);
    assertThat(p.getStatus()).isEqualTo(503);
    assertThat(p.getDetail()).startsWith("Airlock cannot reach the identity provider (Keycloak)")
        .contains("nothing was done").doesNotContain("IdentityProviderException", "Connection refused");

    var db = handler.unavailable(new org.springframework.transaction.CannotCreateTransactionException("no connection",
        new SQLException("Connection refused", "08001")), null, null);
    assertThat(db.getStatus()).isEqualTo(503);
    assertThat(db.getDetail()).startsWith("Airlock cannot reach its database");
  }
}
