package io.airlock.identity;

import java.util.List;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.springframework.dao.ConcurrencyFailureException;

/** What the engine's failures mean to a person, for every surface that answers them. */
public final class EngineFailures {

  private EngineFailures() {}

  /** What a lost race answers, on Airlock's API, its pages and the engine REST API. */
  public static final String RACED = "The request changed while this was being done (someone acted on it at the same "
      + "moment); nothing was changed by this call: reload and try again";

  /**
   * Whether two people acted on the same thing at the same moment and the database let only one
   * through (a stale engine entity, a lock wait ended by the database, a deadlock victim). The
   * loser's transaction was rolled back whole, so nothing changed.
   */
  public static boolean lostRace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OptimisticLockingException || t instanceof ConcurrencyFailureException) {
        return true;
      }
      // PostgreSQL: deadlock detected, serialization failure, lock not available.
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
          && List.of("40P01", "40001", "55P03").contains(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
