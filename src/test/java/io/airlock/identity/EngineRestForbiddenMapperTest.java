package io.airlock.identity;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.Map;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.junit.jupiter.api.Test;

/**
 * What {@code /engine-rest} answers for a lost race: 409 with Camunda's error shape, not the
 * engine's 500 (task/complete wraps the engine's exception in a RestException).
 */
class EngineRestForbiddenMapperTest {

  @Test
  void aStaleEntityBehindTaskCompleteIsAConflictWithoutTheEnginesMessage() {
    RestException wrapped = new RestException(Response.Status.INTERNAL_SERVER_ERROR,
        new OptimisticLockingException("ENGINE-03005 Execution of 'UPDATE ExecutionEntity[42]' failed"),
        "Cannot complete task 7");

    Response answer = new EngineRestForbiddenMapper.RestExceptionMapper().toResponse(wrapped);

    assertThat(answer.getStatus()).isEqualTo(409);
    @SuppressWarnings("unchecked")
    Map<String, String> body = (Map<String, String>) answer.getEntity();
    assertThat(body).containsEntry("type", "OptimisticLockingException")
        .containsEntry("message", EngineFailures.RACED);
    assertThat(body.get("message")).doesNotContain("ExecutionEntity");
  }

  @Test
  void aDeadlockVictimInsideAnEngineCommandIsAConflict() {
    ProcessEngineException e = new ProcessEngineException("listener failed",
        new RuntimeException(new SQLException("deadlock detected", "40P01")));

    assertThat(new EngineRestForbiddenMapper.EngineExceptionMapper().toResponse(e).getStatus()).isEqualTo(409);
  }

  @Test
  void aRefusalInsideTasklistsSubmitFormIsItsSentenceWithoutCamundasPrefix() {
    // ProcessDefinitionResourceImpl.submitForm: "Cannot instantiate process definition …: …", a 500.
    RestException wrapped = new RestException(Response.Status.INTERNAL_SERVER_ERROR,
        new org.camunda.bpm.engine.BadUserRequestException("principal: no IAM Identity Center user named 'mallory'",
            new io.airlock.request.InvalidRequestException(java.util.List.of(new io.airlock.request.InvalidRequestException
                .FieldError("principal", "no IAM Identity Center user named 'mallory'")))),
        "Cannot instantiate process definition access-request:1:7c9b: principal: no IAM Identity Center user named 'mallory'");

    Response answer = new EngineRestForbiddenMapper.RestExceptionMapper().toResponse(wrapped);

    assertThat(answer.getStatus()).isEqualTo(400);
    assertThat(answer.getEntity()).isEqualTo(Map.of("type", "InvalidRequestException",
        "message", "principal: no IAM Identity Center user named 'mallory'"));
  }

  @Test
  void aRequestThatIsNotThereIsNotFound() {
    ProcessEngineException e = new ProcessEngineException("listener failed",
        new io.airlock.request.RequestNotFoundException("r-1"));

    Response answer = new EngineRestForbiddenMapper.EngineExceptionMapper().toResponse(e);

    assertThat(answer.getStatus()).isEqualTo(404);
    assertThat(answer.getEntity()).isEqualTo(Map.of("type", "RequestNotFoundException",
        "message", "No access request with id r-1"));
  }

  @Test
  void theWebappsEngineApiIsCamundasWithAirlocksAnswers() {
    assertThat(new EngineRestForbiddenMapper.WebappEngineApi().getClasses())
        .containsAll(new org.camunda.bpm.webapp.impl.engine.EngineRestApplication().getClasses())
        .contains(EngineRestForbiddenMapper.RestExceptionMapper.class, EngineRestForbiddenMapper.EngineExceptionMapper.class,
            EngineRestForbiddenMapper.RefusalMapper.class, EngineRestRefusals.class);
  }

  @Test
  void anyOtherEngineFailureKeepsCamundasAnswer() {
    ProcessEngineException other = new ProcessEngineException("boom", new SQLException("syntax", "42601"));

    assertThat(EngineRestForbiddenMapper.guardAnswer(other)).isNull();
    assertThat(new EngineRestForbiddenMapper.EngineExceptionMapper().toResponse(other).getStatus()).isEqualTo(500);
  }
}
