package io.airlock.request;

import java.util.List;
import java.util.Optional;

/** The access-request process, as the use cases see it. Implemented on the Camunda engine. */
public interface AccessProcess {

  /** Starts the process for a validated request, as {@code requester}. */
  void start(String requestId, String requester, List<String> requesterGroups, SubmitRequest request);

  /** Completes the review task of the request as {@code reviewer}. */
  void completeReview(String requestId, String reviewer, List<String> reviewerGroups, ReviewDecision decision);

  /** Asks the running process to revoke the access now. */
  void requestRevoke(String requestId);

  /** Ends the request's process wherever it is (teardown); false when none is running. */
  boolean cancel(String requestId, String reason);

  /** The id of the open review task of the request, if any. */
  Optional<String> openReviewTask(String requestId);
}
