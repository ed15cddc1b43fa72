package io.airlock.notify;

import java.util.List;

/**
 * One message about one request (or, without a request id, about Airlock itself: the audit log
 * found broken), and who it is for: users by id, and every member of groups.
 *
 * @param kind a short name of what happened, e.g. review.waiting, access.granted (for metrics and audit)
 */
public record Notice(String requestId, String kind, String subject, String text, String link, List<String> users,
    List<String> groups) {

  /** The message as one block of text: what chat channels post, and the body of an email. */
  public String body() {
    return text + (link == null ? "" : "\n\n" + link);
  }
}
