package io.airlock.web;

import io.airlock.activity.ActivityUnavailableException;
import io.airlock.activity.SessionActivity;
import io.airlock.identity.CurrentUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Session activity: what the principal did with a grant, from CloudTrail. */
@RestController
@RequestMapping("/api/requests/{id}/activity")
@Tag(name = "Access requests")
class ActivityController {

  private final SessionActivity activity;

  ActivityController(SessionActivity activity) {
    this.activity = activity;
  }

  @GetMapping
  @Operation(summary = "What the principal did with the grant: their CloudTrail events in the account from the "
      + "grant's start to its end plus an hour, as last fetched (summary, text, events); for whoever may see "
      + "the request")
  SessionActivity.Activity get(@PathVariable String id, Authentication auth) {
    return activity.view(id, CurrentUser.of(auth));
  }

  @PostMapping
  @Operation(summary = "Fetch the session activity from CloudTrail now (approvers, auditors, operators, admins; "
      + "409 before the grant, 502 when CloudTrail cannot be read)")
  SessionActivity.Activity fetch(@PathVariable String id, Authentication auth) {
    return activity.fetchNow(id, CurrentUser.of(auth));
  }

  @ExceptionHandler(ActivityUnavailableException.class)
  ProblemDetail unavailable(ActivityUnavailableException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY, e.getMessage());
    p.setTitle("CloudTrail unavailable");
    return p;
  }
}
