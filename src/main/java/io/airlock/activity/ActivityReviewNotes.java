package io.airlock.activity;

/**
 * Port: shows a grant's session activity where its break-glass review happens (implemented in
 * {@code process}: the open review task's description and its {@code sessionActivity} variable).
 */
public interface ActivityReviewNotes {

  /** Called in the transaction that stores a fetch. */
  void show(String requestId, String summary);
}
