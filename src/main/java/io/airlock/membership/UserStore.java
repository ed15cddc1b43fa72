package io.airlock.membership;

/** Port: the user store whose groups Airlock's powers follow (the engine's identity service). */
public interface UserStore {

  boolean userExists(String userId);

  boolean isMember(String userId, String groupId);

  /** Adds or removes the membership as Airlock itself (no signed-in person), idempotently. */
  void apply(String userId, String groupId, boolean add);

  /** False when the store is read-only (Keycloak): memberships change in the identity provider. */
  boolean writable();
}
