package io.airlock.identity;

import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestNotFoundException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.rest.exception.ExceptionHandler;
import org.camunda.bpm.engine.rest.exception.ProcessEngineExceptionHandler;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.camunda.bpm.engine.rest.exception.RestExceptionHandler;
import java.util.HashSet;
import java.util.Set;
import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.camunda.bpm.webapp.impl.engine.EngineRestApplication;
import org.glassfish.jersey.servlet.ServletContainer;
import org.glassfish.jersey.servlet.ServletProperties;
import org.springframework.boot.autoconfigure.jersey.ResourceConfigCustomizer;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Engine REST API answers for Airlock's guards: a review refused by the review guard is 403,
 * bad review input is 400, each with the guard's message (Camunda's error JSON shape), rather
 * than the engine's generic 500 for an exception in a task listener or delegate. A conflicting
 * state is 409, and so is a lost race (a stale entity, a deadlock victim), as on {@code /api}.
 *
 * <p>The same answers on the webapps' engine API ({@code /camunda/api/engine}), which Tasklist's
 * start and task forms submit to: Camunda registers that API as its own JAX-RS application,
 * which {@code /engine-rest}'s customizer does not reach, so it answered Airlock's refusals with
 * "Cannot instantiate process definition …: …" or "ENGINE-03051 …" and a 500 (logged with its
 * stack trace). {@link #airlockWebappEngineApi} registers that servlet first, under Camunda's
 * name and path, as Camunda's application plus these mappers; Camunda's initializer then leaves
 * a servlet of that name alone.
 */
@Configuration(proxyBeanMethods = false)
class EngineRestForbiddenMapper {

  @Bean
  ResourceConfigCustomizer airlockEngineRestErrors() {
    return config -> config.register(EngineExceptionMapper.class).register(RestExceptionMapper.class)
        .register(RefusalMapper.class).register(EngineRestRefusals.class);
  }

  /** The webapps' engine API as Camunda registers it, with Airlock's answers for its refusals. */
  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  ServletContextInitializer airlockWebappEngineApi(CamundaBpmProperties camunda) {
    return servletContext -> {
      if (servletContext.getServletRegistration(WEBAPP_ENGINE_API) == null) {
        var api = servletContext.addServlet(WEBAPP_ENGINE_API, ServletContainer.class);
        api.addMapping(camunda.getWebapp().getApplicationPath() + "/api/engine/*");
        api.setInitParameter(ServletProperties.JAXRS_APPLICATION_CLASS, WebappEngineApi.class.getName());
      }
    };
  }

  /** The servlet name Camunda's webapp initializer registers the webapps' engine API under. */
  static final String WEBAPP_ENGINE_API = "Engine Api";

  /** Camunda's webapp engine API application, plus Airlock's mappers. */
  public static class WebappEngineApi extends EngineRestApplication {

    @Override
    public Set<Class<?>> getClasses() {
      Set<Class<?>> classes = new HashSet<>(super.getClasses());
      classes.add(EngineExceptionMapper.class);
      classes.add(RestExceptionMapper.class);
      classes.add(RefusalMapper.class);
      classes.add(EngineRestRefusals.class);
      return classes;
    }
  }

  /** Thrown straight from the engine. */
  @Priority(1)
  static class EngineExceptionMapper implements ExceptionMapper<ProcessEngineException> {

    private final ProcessEngineExceptionHandler camunda = new ProcessEngineExceptionHandler();

    @Override
    public Response toResponse(ProcessEngineException e) {
      Response guard = guardAnswer(e);
      return guard != null ? guard : camunda.toResponse(e);
    }
  }

  /** Resources such as task/complete wrap engine exceptions in a RestException (500). */
  @Priority(1)
  static class RestExceptionMapper implements ExceptionMapper<RestException> {

    private final RestExceptionHandler camunda = new RestExceptionHandler();

    @Override
    public Response toResponse(RestException e) {
      Response guard = guardAnswer(e);
      return guard != null ? guard : camunda.toResponse(e);
    }
  }

  /**
   * Thrown unwrapped from a delegate (e.g. bad input when a request is started here): without
   * this, Camunda's catch-all answers 500 and logs the message (user input) verbatim.
   */
  @Priority(1)
  static class RefusalMapper implements ExceptionMapper<RuntimeException> {

    private final ExceptionHandler camunda = new ExceptionHandler();

    @Override
    public Response toResponse(RuntimeException e) {
      Response guard = guardAnswer(e);
      return guard != null ? guard : camunda.toResponse(e);
    }
  }

  static Response guardAnswer(Throwable e) {
    io.airlock.request.StepUpRequiredException stepUp = StepUpAnswer.of(e);
    if (stepUp != null) {
      // A bearer token (/engine-rest): RFC 9470's challenge. Tasklist's session: 403 (a 401 would
      // show the webapps' own sign-in form), naming the step-up page that brings the person back.
      if (stepUp.missing().bearer()) {
        return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON_TYPE)
            .header("WWW-Authenticate", StepUpAnswer.wwwAuthenticate(stepUp.missing()))
            .entity(Map.of("type", "StepUpRequired", "message", stepUp.getMessage())).build();
      }
      return Response.status(Response.Status.FORBIDDEN).type(MediaType.APPLICATION_JSON_TYPE)
          .entity(Map.of("type", "StepUpRequired", "message", stepUp.getMessage(), "stepUp", StepUpAnswer.STEP_UP))
          .build();
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ForbiddenActionException) {
        return error(Response.Status.FORBIDDEN, "AuthorizationException", t.getMessage());
      }
      if (t instanceof InvalidRequestException) {
        return error(Response.Status.BAD_REQUEST, "InvalidRequestException", t.getMessage());
      }
      if (t instanceof ConflictingStateException) {
        return error(Response.Status.CONFLICT, "ConflictingStateException", t.getMessage());
      }
      if (t instanceof RequestNotFoundException) {
        return error(Response.Status.NOT_FOUND, "RequestNotFoundException", t.getMessage());
      }
    }
    if (EngineFailures.lostRace(e)) {
      // e.g. two approvers completing a quorum's last two tasks at once: the loser's transaction
      // was rolled back whole. Camunda answers 500 (and the engine's message names its entities).
      return error(Response.Status.CONFLICT, "OptimisticLockingException", EngineFailures.RACED);
    }
    return null;
  }

  private static Response error(Response.Status status, String type, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
        .entity(Map.of("type", type, "message", message)).build();
  }
}
