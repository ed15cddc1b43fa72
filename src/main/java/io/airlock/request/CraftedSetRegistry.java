package io.airlock.request;

import io.airlock.request.CraftedSetMapper.CraftedSet;
import java.time.Clock;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Records a permission set the moment AWS has created it, in a transaction of its own: if the
 * grant that created it fails and rolls back, Airlock still knows the set exists and removes it.
 */
@Component
class CraftedSetRegistry {

  private final CraftedSetMapper mapper;
  private final Clock clock;

  CraftedSetRegistry(CraftedSetMapper mapper, Clock clock) {
    this.mapper = mapper;
    this.clock = clock;
  }

  @Transactional(propagation = Propagation.REQUIRES_NEW)
  public void recordCreated(String arn, String name, String requestId, String accountId) {
    mapper.insert(new CraftedSet(arn, name, requestId, accountId, clock.instant(), null));
  }
}
