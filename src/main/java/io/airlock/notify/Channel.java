package io.airlock.notify;

/** A way to tell people: email, a chat webhook. */
interface Channel {

  /** Short name, for metrics, logs and the audit log. */
  String name();

  boolean enabled();

  /** Delivers the notice; throws when it could not (the dispatcher retries, then reports). */
  void send(Notice notice) throws Exception;
}
