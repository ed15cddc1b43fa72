package io.airlock.policy;

import io.airlock.request.Caller;
import java.util.Optional;

/**
 * What {@link PolicyReading} reads from the engine: the decision tables as deployed, and a
 * person with the groups the identity provider gives them now. Read as Airlock itself: the
 * reader's own authorizations do not hide policy from its authors.
 */
public interface DeployedPolicy {

  /** A deployed table as its authors read it (who deployed it not yet filled in), and its deployment. */
  record Deployed(PolicyReading.Table table, String deploymentId) {}

  /** The latest deployed version of the table {@code key}; throws when none is deployed. */
  Deployed latest(String key);

  /** The user {@code userId} with their groups now; empty when there is no such user. */
  Optional<Caller> person(String userId);
}
