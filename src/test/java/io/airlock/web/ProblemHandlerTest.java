package io.airlock.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;

/**
 * What the engine throws, as Airlock's API answers it (translated by the engine's side, answered
 * by ProblemHandler): a lost race 409 whatever wraps it, an outage 503 in words, the engine's
 * refusal 403; any other engine failure stays an error.
 */
class ProblemHandlerTest {

  private final ProblemHandler handler = new ProblemHandler(
      new org.springframework.beans.factory.support.StaticListableBeanFactory().getBeanProvider(io.airlock.audit.AuditLog.class));

  /** As the MVC resolvers do: translate, then the handler for what it became. */
  private org.springframework.http.ProblemDetail answer(ProcessEngineException e) {
    RuntimeException t = io.airlock.identity.EngineExceptionTranslation.translate(e);
    if (t == null) {
      throw e;
    }
    if (t instanceof org.springframework.dao.ConcurrencyFailureException) {
      return handler.raced(t);
    }
    if (t instanceof org.springframework.dao.DataAccessResourceFailureException) {
      return handler.unavailable(t, null, null);
    }
    if (t instanceof io.airlock.request.ForbiddenActionException f) {
      return handler.forbidden(f, null);
    }
    throw new AssertionError("not answered here: " + t);
  }

  @Test
  void aDeadlockVictimInsideAnEngineCommandIsAConflict() {
    ProcessEngineException wrapped = new ProcessEngineException("listener failed",
        new RuntimeException(new SQLException("deadlock detected", "40P01")));
    assertThat(answer(wrapped).getStatus()).isEqualTo(409);
    assertThat(answer(wrapped).getDetail()).contains("nothing was changed by this call");
  }

  @Test
  void aStaleEntityAndASpringLockFailureAreConflicts() {
    assertThat(answer(new OptimisticLockingException("stale")).getStatus()).isEqualTo(409);
    assertThat(answer(new ProcessEngineException("x", new CannotAcquireLockException("lock"))).getStatus())
        .isEqualTo(409);
  }

  @Test
  void anyOtherEngineFailureIsNotDressedUpAsAConflict() {
    ProcessEngineException other = new ProcessEngineException("boom", new SQLException("syntax", "42601"));
    assertThatThrownBy(() -> answer(other)).isSameAs(other);
  }

  @Test
  void theEnginesOwnRefusalIsForbiddenWithItsSentence() {
    var p = answer(new org.camunda.bpm.engine.AuthorizationException("The user with id 'alice' may not do this"));
    assertThat(p.getStatus()).isEqualTo(403);
    assertThat(p.getDetail()).isEqualTo("The user with id 'alice' may not do this");
    var coded = answer(new org.camunda.bpm.engine.AuthorizationException(
        "ENGINE-03110 Required admin authenticated group or user or any of the following permissions: ..."));
    assertThat(coded.getStatus()).isEqualTo(403);
    assertThat(coded.getDetail()).startsWith("Required admin authenticated group").doesNotContain("ENGINE-");
  }

  @Test
  void theIdentityProviderOrTheDatabaseAwayIs503InWordsNever500() {
    ProcessEngineException keycloakDown = new ProcessEngineException("review failed",
        new org.camunda.bpm.engine.impl.identity.IdentityProviderException(
            "Unable to query groups of user bob", new java.net.ConnectException("Connection refused")));
    var p = answer(keycloakDown);
    assertThat(p.getStatus()).isEqualTo(503);
    assertThat(p.getDetail()).startsWith("Airlock cannot reach the identity provider (Keycloak)")
        .contains("nothing was done").doesNotContain("IdentityProviderException", "Connection refused");

    var db = handler.unavailable(new org.springframework.transaction.CannotCreateTransactionException("no connection",
        new SQLException("Connection refused", "08001")), null, null);
    assertThat(db.getStatus()).isEqualTo(503);
    assertThat(db.getDetail()).startsWith("Airlock cannot reach its database");
  }
}
