package io.airlock.request;

import java.util.List;

/**
 * Something happened to a request that people may need to hear about: a status change, a
 * review reminder or escalation. Published by {@link AccessLifecycle} inside the transaction of
 * the change; listeners that tell people act only after it commits, so a message never reports
 * a change that rolled back, and a failing message never fails the change.
 *
 * @param request the request as it is after the change (a copy: listeners must not change it)
 * @param kind what happened
 * @param groups for reminders and escalations: the groups asked to review
 */
public record RequestEvent(AccessRequest request, Kind kind, RequestStatus from, List<String> groups) {

  public enum Kind { STATUS_CHANGED, REVIEW_REMINDER, REVIEW_ESCALATED, ENDING_SOON }

  static RequestEvent statusChanged(AccessRequest r, RequestStatus from) {
    return new RequestEvent(r.copy(), Kind.STATUS_CHANGED, from, r.approverGroupList());
  }

  static RequestEvent endingSoon(AccessRequest r) {
    return new RequestEvent(r.copy(), Kind.ENDING_SOON, r.getStatus(), List.of());
  }

  static RequestEvent review(AccessRequest r, Kind kind, List<String> groups) {
    return new RequestEvent(r.copy(), kind, r.getStatus(), List.copyOf(groups));
  }
}
