package io.airlock.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * AWS allows 20 IAM Identity Center API calls a second. This interceptor sits on the sso-admin
 * and identitystore clients and makes every HTTP attempt (each page of a paginator, each SDK
 * retry) take a slot first, so the quota holds whatever the load.
 *
 * <p>A slot is taken when the attempt is sent and given back one second after its answer came
 * (or the attempt failed). AWS counts a call when it arrives, which is between those two
 * instants, so no one-second window at AWS sees more calls than there are slots, however the
 * network or the server delays single calls. Below the quota nothing waits: a burst passes at
 * once, and the quota adds no latency to a grant unless the quota is really in use.
 *
 * <p>Revokes come first. The calls that take access away (DeleteAccountAssignment and its status
 * polls) are <em>urgent</em>: a few slots are kept for them alone, and while an urgent call waits,
 * no other call takes a slot that frees up. A thousand grants queued behind the quota therefore
 * delay a due revoke by at most one slot's turnover, never by the queue.
 */
final class IdentityCenterQuota implements ExecutionInterceptor {

  static final int CALLS_PER_SECOND = 20;

  /** Operations that take access away: they use the reserved slots and jump the queue. */
  static final Set<String> URGENT_OPERATIONS = Set.of("DeleteAccountAssignment",
      "DescribeAccountAssignmentDeletionStatus");

  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final ExecutionAttribute<Slot> SLOT = new ExecutionAttribute<>("AirlockIdentityCenterQuotaSlot");

  private final int callsPerSecond;
  /** Slots only urgent calls may take. */
  private final int reservedForUrgent;
  private final long maxWaitNanos;
  /** Urgent calls waiting for a slot (guarded by lock): while any waits, others do not take one. */
  private int urgentWaiting;
  private final ReentrantLock lock = new ReentrantLock(true);
  private final Condition slotEnded = lock.newCondition();
  /** Attempts in flight, or answered less than a second ago (guarded by lock). */
  private final List<Slot> slots = new ArrayList<>();

  /** One attempt's hold on the quota. */
  static final class Slot {
    boolean ended;
    long endedAt;
  }

  /**
   * A quota with one slot in twenty (at least one) reserved for urgent calls: a revoke's
   * DeleteAccountAssignment never waits for grants; its status poll a second later takes the
   * next slot that frees up. Grants lose that one slot of throughput during a burst.
   */
  IdentityCenterQuota(int callsPerSecond, Duration maxWait) {
    this(callsPerSecond, Math.max(1, callsPerSecond / 20), maxWait);
  }

  IdentityCenterQuota(int callsPerSecond, int reservedForUrgent, Duration maxWait) {
    if (callsPerSecond < 1) {
      throw new IllegalArgumentException("callsPerSecond must be positive");
    }
    if (reservedForUrgent < 0 || reservedForUrgent >= callsPerSecond) {
      throw new IllegalArgumentException("reservedForUrgent must be at least 0 and less than callsPerSecond");
    }
    this.callsPerSecond = callsPerSecond;
    this.reservedForUrgent = reservedForUrgent;
    this.maxWaitNanos = maxWait.toNanos();
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    end(attributes.getAttribute(SLOT)); // a previous attempt of this call that got no answer
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    attributes.putAttribute(SLOT, take(operation != null && URGENT_OPERATIONS.contains(operation)));
  }

  @Override
  public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
    end(attributes.getAttribute(SLOT));
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    end(attributes.getAttribute(SLOT));
  }

  /**
   * Takes a slot, waiting while the quota is in use: an urgent call may take any free slot, any
   * other call only one beyond the reserve, and none while an urgent call waits.
   */
  Slot take(boolean urgent) {
    long deadline = System.nanoTime() + maxWaitNanos;
    lock.lock();
    if (urgent) {
      urgentWaiting++;
    }
    try {
      while (true) {
        long now = System.nanoTime();
        long untilFree = Long.MAX_VALUE;
        for (Iterator<Slot> it = slots.iterator(); it.hasNext(); ) {
          Slot s = it.next();
          if (s.ended) {
            long left = s.endedAt + WINDOW_NANOS - now;
            if (left <= 0) {
              it.remove();
            } else {
              untilFree = Math.min(untilFree, left);
            }
          }
        }
        boolean free = urgent
            ? slots.size() < callsPerSecond
            : urgentWaiting == 0 && slots.size() < callsPerSecond - reservedForUrgent;
        if (free) {
          Slot slot = new Slot();
          slots.add(slot);
          return slot;
        }
        long untilDeadline = deadline - now;
        if (untilDeadline <= 0) {
          throw SdkClientException.create("Airlock's Identity Center rate limit (" + callsPerSecond
              + " calls/s) stayed saturated; try again later");
        }
        // woken when a slot's second is over, or when an attempt ends (its second starts)
        slotEnded.awaitNanos(Math.min(untilFree, untilDeadline));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SdkClientException.create("Interrupted while waiting for the Identity Center rate limit", e);
    } finally {
      if (urgent) {
        urgentWaiting--;
        slotEnded.signalAll(); // others may go again
      }
      lock.unlock();
    }
  }

  void end(Slot slot) {
    if (slot == null) {
      return;
    }
    lock.lock();
    try {
      if (!slot.ended) {
        slot.ended = true;
        slot.endedAt = System.nanoTime();
        slotEnded.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }
}
