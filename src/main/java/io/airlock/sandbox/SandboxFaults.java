package io.airlock.sandbox;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Failure injection, for tests and for operators trying Airlock against the standalone emulator
 * ({@link SandboxMain}'s control API). Operation names are the AWS operation names, e.g.
 * "CreateAccountAssignment".
 */
public final class SandboxFaults {

    record CallFault(String errorCode, int httpStatus) {
    }

    private final Map<String, Deque<CallFault>> callFaults = new HashMap<>();
    private final Map<String, Deque<String>> asyncFaults = new HashMap<>();
    private final Map<String, CallFault> outages = new HashMap<>();
    /** Share of Identity Center calls answered ThrottlingException at random (0: none). */
    private double throttlingRate;
    /** The same per operation, where it differs from {@link #throttlingRate}. */
    private final Map<String, Double> operationThrottling = new HashMap<>();
    private java.util.Random random = new java.util.Random(7223);

    SandboxFaults() {
    }

    /** The next {@code n} calls of {@code operation} fail with {@code errorCode} and {@code httpStatus}. */
    public synchronized void failNextCalls(String operation, int n, String errorCode, int httpStatus) {
        if (n < 0 || httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("n must be >= 0 and httpStatus 4xx/5xx");
        }
        Deque<CallFault> queue = callFaults.computeIfAbsent(operation, k -> new ArrayDeque<>());
        for (int i = 0; i < n; i++) {
            queue.add(new CallFault(errorCode, httpStatus));
        }
    }

    /**
     * Every call of {@code operation} fails with {@code errorCode} and {@code httpStatus} until
     * {@link #endOutage(String)} or {@link #reset()}: a service that is down for a while.
     */
    public synchronized void startOutage(String operation, String errorCode, int httpStatus) {
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("httpStatus must be 4xx/5xx");
        }
        outages.put(operation, new CallFault(errorCode, httpStatus));
    }

    /** Ends the outage of {@code operation} started by {@link #startOutage}. */
    public synchronized void endOutage(String operation) {
        outages.remove(operation);
    }

    /**
     * The next {@code n} asynchronous requests of {@code operation} (CreateAccountAssignment,
     * DeleteAccountAssignment, ProvisionPermissionSet) are accepted but end with Status FAILED and
     * {@code failureReason}; their change is not applied.
     */
    public synchronized void failNextAsync(String operation, int n, String failureReason) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0");
        }
        Deque<String> queue = asyncFaults.computeIfAbsent(operation, k -> new ArrayDeque<>());
        for (int i = 0; i < n; i++) {
            queue.add(failureReason);
        }
    }

    /**
     * From now on each Identity Center call (sso-admin and identitystore) is answered
     * {@code ThrottlingException} with probability {@code rate}, drawn from a random sequence
     * seeded with {@code seed} (a run can be repeated), until {@link #reset()}: AWS under load.
     */
    public synchronized void throttle(double rate, long seed) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("rate must be between 0 and 1");
        }
        throttlingRate = rate;
        random = new java.util.Random(seed);
    }

    /** As {@link #throttle(double, long)}, for one operation only (e.g. "DeleteAccountAssignment"). */
    public synchronized void throttle(String operation, double rate) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("rate must be between 0 and 1");
        }
        operationThrottling.put(operation, rate);
    }

    /** What is injected now, for the standalone emulator's control API. */
    public synchronized Map<String, Object> describe() {
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("throttlingRate", throttlingRate);
        d.put("operationThrottling", new java.util.TreeMap<>(operationThrottling));
        Map<String, String> out = new java.util.TreeMap<>();
        outages.forEach((operation, fault) -> out.put(operation, fault.errorCode() + " " + fault.httpStatus()));
        d.put("outages", out);
        return d;
    }

    /** Removes all pending faults. */
    public synchronized void reset() {
        callFaults.clear();
        asyncFaults.clear();
        outages.clear();
        throttlingRate = 0;
        operationThrottling.clear();
    }

    synchronized boolean throttleAtRandom(String operation) {
        double rate = operationThrottling.getOrDefault(operation, throttlingRate);
        return rate > 0 && random.nextDouble() < rate;
    }

    synchronized CallFault takeCallFault(String operation) {
        CallFault outage = outages.get(operation);
        if (outage != null) {
            return outage;
        }
        Deque<CallFault> queue = callFaults.get(operation);
        return queue == null ? null : queue.poll();
    }

    synchronized String takeAsyncFault(String operation) {
        Deque<String> queue = asyncFaults.get(operation);
        return queue == null ? null : queue.poll();
    }
}
