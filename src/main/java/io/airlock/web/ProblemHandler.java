package io.airlock.web;

import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestNotFoundException;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Errors as RFC 9457 problem+json, naming what is wrong. */
@RestControllerAdvice(basePackageClasses = ProblemHandler.class)
class ProblemHandler {

  @ExceptionHandler(InvalidRequestException.class)
  ProblemDetail invalid(InvalidRequestException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setTitle("Invalid request");
    p.setProperty("errors", e.errors().stream().map(f -> Map.of("field", f.field(), "message", f.message())).toList());
    return p;
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ProblemDetail unreadable(HttpMessageNotReadableException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
        "The body is not valid JSON for this endpoint");
    p.setTitle("Invalid request");
    p.setProperty("errors", List.of(Map.of("field", "body", "message", "not readable as JSON")));
    return p;
  }

  @ExceptionHandler(RequestNotFoundException.class)
  ProblemDetail notFound(RequestNotFoundException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    p.setTitle("Not found");
    return p;
  }

  @ExceptionHandler({ForbiddenActionException.class, AuthorizationException.class})
  ProblemDetail forbidden(RuntimeException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
    p.setTitle("Forbidden");
    return p;
  }

  /**
   * The engine wraps what a listener throws (e.g. the review guard); answer for the cause.
   */
  @ExceptionHandler(ProcessEngineException.class)
  ProblemDetail engine(ProcessEngineException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidRequestException x) {
        return invalid(x);
      }
      if (t instanceof ForbiddenActionException || t instanceof AuthorizationException) {
        return forbidden((RuntimeException) t);
      }
      if (t instanceof ConflictingStateException x) {
        return conflict(x);
      }
      if (t instanceof RequestNotFoundException x) {
        return notFound(x);
      }
    }
    throw e;
  }

  @ExceptionHandler(ConflictingStateException.class)
  ProblemDetail conflict(ConflictingStateException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    p.setTitle("Conflict");
    return p;
  }
}
