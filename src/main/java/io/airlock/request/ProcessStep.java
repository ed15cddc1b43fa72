package io.airlock.request;

/**
 * A step of a request's process, as the engine reports it: which request (the business key),
 * from which process instance, and who is signed in on the call (null for jobs and timers).
 * The use cases refuse a step whose process instance does not own the request.
 */
public record ProcessStep(String requestId, String processInstanceId, String actor) {}
