package io.airlock.process;

import java.util.function.Supplier;

/**
 * Marks engine calls Airlock makes itself (not on behalf of a caller), on this thread: the
 * process guard lets only these start an instance anywhere but at its start event.
 */
final class AirlockSelf {

  private static final ThreadLocal<Boolean> ACTIVE = new ThreadLocal<>();

  private AirlockSelf() {}

  static boolean active() {
    return Boolean.TRUE.equals(ACTIVE.get());
  }

  static <T> T run(Supplier<T> work) {
    Boolean previous = ACTIVE.get();
    ACTIVE.set(Boolean.TRUE);
    try {
      return work.get();
    } finally {
      if (previous == null) {
        ACTIVE.remove();
      } else {
        ACTIVE.set(previous);
      }
    }
  }
}
