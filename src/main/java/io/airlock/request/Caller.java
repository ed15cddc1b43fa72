package io.airlock.request;

import java.util.List;

/** The signed-in user on whose behalf a use case runs. */
public record Caller(String userId, List<String> groups) {

  public Caller {
    groups = groups == null ? List.of() : List.copyOf(groups);
  }

  public boolean inAnyGroup(java.util.Collection<String> candidates) {
    return candidates.stream().anyMatch(groups::contains);
  }
}
