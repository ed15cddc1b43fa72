package io.airlock.request;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The access-request process, as the use cases see it. Implemented on the Camunda engine. */
public interface RequestWorkflow {

  /** Starts the process for a request, as {@code requester}; returns the new request's id. */
  String start(String requester, List<String> requesterGroups, SubmitRequest request);

  /** Completes the review task of the request as {@code reviewer}. */
  void completeReview(String requestId, String reviewer, List<String> reviewerGroups, ReviewDecision decision);

  /** Asks the running process to revoke the access now; false when no instance waits for that. */
  boolean requestRevoke(String requestId);

  /** Tells the running process that the requester withdrew the request (ends its review). */
  void withdraw(String requestId);

  /** Ends the request's process wherever it is (teardown); false when none is running. */
  boolean cancel(String requestId, String reason);

  /** The id of the open review task of the request, if any. */
  Optional<String> openReviewTask(String requestId);

  /** Of these process instance ids, the ones still running. */
  Set<String> running(Collection<String> processInstanceIds);

  /**
   * Lets the request's failed jobs (retries used up: a Cockpit incident, or waiting for their
   * next retry) run again now; for the reconciler, once it has confirmed or ended a grant the
   * job could not. Returns how many.
   */
  int retryFailedJobs(String requestId);

  /** Starts, as Airlock itself, an instance of the process that only revokes the request; returns its id. */
  String startRevocation(String requestId);

  /**
   * What the engine did for the request, from the process history (tasks opened and closed,
   * timers fired, messages and conditions caught, incidents, ends), oldest first.
   */
  List<RequestService.TimelineEntry> history(String requestId);
}
