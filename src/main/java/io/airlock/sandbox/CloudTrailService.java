package io.airlock.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * AWS CloudTrail's event history (AWS JSON 1.1): {@code LookupEvents}, per account and region,
 * the way Airlock reads what a principal did with a grant.
 *
 * <p>Like AWS: one lookup attribute at most, {@code StartTime} and {@code EndTime} inclusive,
 * newest events first, at most 50 a page with a {@code NextToken}, no event after "now" (events
 * are seeded with their time, and show once it has come), and 2 calls a second per account and
 * region: a token bucket of 2 tokens refilled at 2 a second, {@code ThrottlingException} beyond.
 * The account is the one whose role signed the call (a session from the emulator's STS
 * {@code AssumeRole}); any other credentials act in the management account. The region is the
 * signature's.
 *
 * <p>Events are seeded through {@link #record}; with {@link #demoEvents(boolean)} on, a new
 * account assignment also produces a few plausible events of its user in that account. Every
 * call that changes something in Identity Center (over HTTP) is recorded as AWS records it, a
 * write event of the caller's account with its {@code requestParameters} and
 * {@code responseElements} ({@link #recordChange}): what Airlock's incremental scans read.
 */
public final class CloudTrailService {

    static final String TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";
    static final int MAX_RESULTS = 50;
    static final double CALLS_PER_SECOND = 2;

    private static final Set<String> ATTRIBUTE_KEYS = Set.of("EventId", "EventName", "ReadOnly", "Username",
            "ResourceType", "ResourceName", "EventSource", "AccessKeyId");

    /** One CloudTrail management event, as LookupEvents returns it. */
    public record Event(String eventId, String eventName, String eventSource, Instant eventTime, String username,
                        String accessKeyId, boolean readOnly, List<Resource> resources, String cloudTrailEvent) {
        public Event {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(eventName, "eventName");
            Objects.requireNonNull(eventSource, "eventSource");
            Objects.requireNonNull(eventTime, "eventTime");
            resources = resources == null ? List.of() : List.copyOf(resources);
        }
    }

    public record Resource(String type, String name) {
    }

    /** A LookupEvents call as it arrived: for tests of Airlock's rate limit. */
    public record Lookup(String accountId, String region, long nanoTime, boolean throttled) {
    }

    private record Stored(String accountId, String region, Event event) {
    }

    private final SandboxState state;
    private final Clock clock;
    private final List<Stored> events = new ArrayList<>();
    private final List<Lookup> lookups = new ArrayList<>();
    private final Map<String, Bucket> buckets = new HashMap<>(); // by account/region
    private final AtomicLong demoSequence = new AtomicLong();
    private volatile boolean demoEvents;

    CloudTrailService(SandboxState state, Clock clock) {
        this.state = state;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ public state API

    /** Adds an event to the history of an account and region. */
    public synchronized void record(String accountId, String region, Event event) {
        events.add(new Stored(accountId, region, event));
    }

    /** An event of an Identity Center user's session ({@code AWSReservedSSO_<permission set>_...} role). */
    public static Event ssoEvent(String accountId, String userName, String permissionSetName, String eventSource,
                                 String eventName, boolean readOnly, Instant at, Resource... resources) {
        String eventId = UUID.randomUUID().toString();
        String accessKeyId = "ASIA" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase();
        String role = "AWSReservedSSO_" + permissionSetName + "_0123456789abcdef";
        ObjectNode json = JsonRequest.MAPPER.createObjectNode();
        json.put("eventVersion", "1.09");
        ObjectNode identity = json.putObject("userIdentity");
        identity.put("type", "AssumedRole");
        identity.put("principalId", "AROAAIRLOCKSANDBOX:" + userName);
        identity.put("arn", "arn:aws:sts::" + accountId + ":assumed-role/" + role + "/" + userName);
        identity.put("accountId", accountId);
        identity.put("accessKeyId", accessKeyId);
        ObjectNode issuer = identity.putObject("sessionContext").putObject("sessionIssuer");
        issuer.put("type", "Role");
        issuer.put("arn", "arn:aws:iam::" + accountId + ":role/aws-reserved/sso.amazonaws.com/" + role);
        issuer.put("userName", role);
        json.put("eventTime", at.toString());
        json.put("eventSource", eventSource);
        json.put("eventName", eventName);
        json.put("awsRegion", "us-east-1");
        json.put("sourceIPAddress", "198.51.100.7");
        json.put("userAgent", "aws-cli/2.17.0");
        String cloudTrailEvent = closed(json, eventId, readOnly, accountId);
        return new Event(eventId, eventName, eventSource, at, userName, accessKeyId, readOnly, List.of(resources),
                cloudTrailEvent);
    }

    /**
     * Whether an operation changes something (and so is a write event AWS records, {@code ReadOnly}
     * false): everything but the List, Describe and Get calls.
     */
    static boolean changes(String operation) {
        return !(operation.startsWith("List") || operation.startsWith("Describe") || operation.startsWith("Get"));
    }

    /**
     * Records a successful call that changed something, as CloudTrail does in the event history:
     * its parameters and response under {@code requestParameters} and {@code responseElements},
     * with AWS's camelCase names.
     */
    public void recordChange(String accountId, String region, String eventSource, String eventName,
                             String accessKeyId, JsonNode request, JsonNode response) {
        Instant at = clock.instant();
        String eventId = UUID.randomUUID().toString();
        ObjectNode json = JsonRequest.MAPPER.createObjectNode();
        json.put("eventVersion", "1.09");
        ObjectNode identity = json.putObject("userIdentity");
        identity.put("type", "AssumedRole");
        identity.put("accountId", accountId);
        identity.put("accessKeyId", accessKeyId);
        json.put("eventTime", at.toString());
        json.put("eventSource", eventSource);
        json.put("eventName", eventName);
        json.put("awsRegion", region);
        json.put("sourceIPAddress", "198.51.100.9");
        json.put("userAgent", "aws-sdk-java/2");
        json.set("requestParameters", request == null || request.isNull() ? null : camelCase(request));
        json.set("responseElements", response == null ? null : camelCase(response));
        String cloudTrailEvent = closed(json, eventId, false, accountId);
        record(accountId, region, new Event(eventId, eventName, eventSource, at, null, accessKeyId, false, List.of(),
                cloudTrailEvent));
    }

    /** The fields every event ends with, and the event as CloudTrail's JSON text. */
    private static String closed(ObjectNode json, String eventId, boolean readOnly, String accountId) {
        json.put("requestID", UUID.randomUUID().toString());
        json.put("eventID", eventId);
        json.put("readOnly", readOnly);
        json.put("eventType", "AwsApiCall");
        json.put("managementEvent", true);
        json.put("recipientAccountId", accountId);
        try {
            return JsonRequest.MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same JSON with every object key's first letter lower-cased ("TargetId" to "targetId"). */
    private static JsonNode camelCase(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JsonRequest.MAPPER.createObjectNode();
            node.fields().forEachRemaining(f -> out.set(JsonRequest.camel(f.getKey()), camelCase(f.getValue())));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonRequest.MAPPER.createArrayNode();
            node.forEach(n -> out.add(camelCase(n)));
            return out;
        }
        return node;
    }

    /** Every stored event of that account (all regions), oldest first, future ones included. */
    public synchronized List<Event> events(String accountId) {
        return events.stream().filter(s -> s.accountId().equals(accountId)).map(Stored::event)
                .sorted(Comparator.comparing(Event::eventTime)).toList();
    }

    /** Every LookupEvents call so far, in arrival order. */
    public synchronized List<Lookup> lookups() {
        return List.copyOf(lookups);
    }

    /** Whether new account assignments produce demo events (on in the demo, off for exact tests). */
    public void demoEvents(boolean on) {
        this.demoEvents = on;
    }

    /** Forgets every event and lookup. */
    public synchronized void clear() {
        events.clear();
        lookups.clear();
        buckets.clear();
    }

    // ------------------------------------------------------------------ demo activity

    /** Called by the state when an assignment has been created: a few events of the user, in the minutes after. */
    void assignmentCreated(SandboxState.Assignment a, Instant at) {
        if (!demoEvents || !"USER".equals(a.principalType())) {
            return;
        }
        SandboxState.User user = state.user(a.principalId()).orElse(null);
        String permissionSet = state.permissionSets().stream().filter(p -> p.arn().equals(a.permissionSetArn()))
                .map(SandboxState.PermissionSetInfo::name).findFirst().orElse("PermissionSet");
        if (user == null) {
            return;
        }
        String account = a.accountId();
        String name = user.userName();
        long n = demoSequence.incrementAndGet();
        record(account, "us-east-1", ssoEvent(account, name, permissionSet, "signin.amazonaws.com", "ConsoleLogin",
                false, at.plusSeconds(5)));
        record(account, "us-east-1", ssoEvent(account, name, permissionSet, "sts.amazonaws.com", "GetCallerIdentity",
                true, at.plusSeconds(20)));
        record(account, "us-east-1", ssoEvent(account, name, permissionSet, "s3.amazonaws.com", "ListBuckets",
                true, at.plusSeconds(45)));
        record(account, "us-east-1", ssoEvent(account, name, permissionSet, "ec2.amazonaws.com", "DescribeInstances",
                true, at.plusSeconds(90)));
        record(account, "us-east-1", ssoEvent(account, name, permissionSet, "logs.amazonaws.com", "FilterLogEvents",
                true, at.plus(Duration.ofMinutes(3)),
                new Resource("AWS::Logs::LogGroup", "/aws/lambda/orders-" + n)));
    }

    // ------------------------------------------------------------------ LookupEvents

    ObjectNode handle(String operation, JsonRequest req, String accountId, String region) {
        if (!"LookupEvents".equals(operation)) {
            throw new SandboxException("UnknownOperationException", 400, "Unknown operation " + operation);
        }
        boolean allowed = take(accountId + "/" + region);
        synchronized (this) {
            lookups.add(new Lookup(accountId, region, System.nanoTime(), !allowed));
        }
        if (!allowed) {
            state.countThrottled();
            throw SandboxException.throttling("Rate exceeded");
        }
        return lookupEvents(req, accountId, region);
    }

    private ObjectNode lookupEvents(JsonRequest req, String accountId, String region) {
        String key = null;
        String value = null;
        JsonNode attributes = req.node("LookupAttributes");
        if (attributes != null) {
            if (!attributes.isArray()) {
                throw new SandboxException("InvalidLookupAttributesException", 400, "LookupAttributes must be a list.");
            }
            if (attributes.size() > 1) {
                throw new SandboxException("InvalidLookupAttributesException", 400,
                        "You cannot specify more than one lookup attribute.");
            }
            if (attributes.size() == 1) {
                JsonNode a = attributes.get(0);
                key = a.path("AttributeKey").asText(null);
                value = a.path("AttributeValue").asText(null);
                if (key == null || !ATTRIBUTE_KEYS.contains(key)) {
                    throw new SandboxException("InvalidLookupAttributesException", 400,
                            "Lookup attribute key " + key + " is not valid.");
                }
                if (value == null || value.isEmpty() || value.length() > 2000) {
                    throw new SandboxException("InvalidLookupAttributesException", 400,
                            "Lookup attribute value must be 1 to 2000 characters.");
                }
            }
        }
        if (req.node("EventCategory") != null && !"insight".equals(req.node("EventCategory").asText())) {
            throw new SandboxException("InvalidEventCategoryException", 400, "Event category is not valid.");
        }
        Instant now = clock.instant();
        Instant start = time(req, "StartTime");
        Instant end = time(req, "EndTime");
        if (start != null && end != null && start.isAfter(end)) {
            throw new SandboxException("InvalidTimeRangeException", 400,
                    "Start time must be equal to or earlier than end time.");
        }
        if (start != null && start.isAfter(now)) {
            throw new SandboxException("InvalidTimeRangeException", 400, "Start time must not be in the future.");
        }
        Instant from = start;
        Instant to = end == null || end.isAfter(now) ? now : end;
        String k = key;
        String v = value;
        List<Event> matching;
        synchronized (this) {
            matching = events.stream()
                    .filter(s -> s.accountId().equals(accountId) && s.region().equals(region))
                    .map(Stored::event)
                    .filter(e -> (from == null || !e.eventTime().isBefore(from)) && !e.eventTime().isAfter(to))
                    .filter(e -> k == null || matches(e, k, v))
                    .sorted(Comparator.comparing(Event::eventTime).reversed().thenComparing(Event::eventId))
                    .toList();
        }
        ObjectNode out = JsonRequest.MAPPER.createObjectNode();
        req.page(matching, MAX_RESULTS, out, "Events", CloudTrailService::render, "InvalidMaxResultsException");
        return out;
    }

    private static boolean matches(Event e, String key, String value) {
        return switch (key) {
            case "EventId" -> value.equals(e.eventId());
            case "EventName" -> value.equals(e.eventName());
            case "ReadOnly" -> value.equals(Boolean.toString(e.readOnly()));
            case "Username" -> value.equals(e.username());
            case "EventSource" -> value.equals(e.eventSource());
            case "AccessKeyId" -> value.equals(e.accessKeyId());
            case "ResourceType" -> e.resources().stream().anyMatch(r -> value.equals(r.type()));
            case "ResourceName" -> e.resources().stream().anyMatch(r -> value.equals(r.name()));
            default -> false;
        };
    }

    private static JsonNode render(Event e) {
        ObjectNode n = JsonRequest.MAPPER.createObjectNode();
        n.put("EventId", e.eventId());
        n.put("EventName", e.eventName());
        n.put("ReadOnly", Boolean.toString(e.readOnly()));
        if (e.accessKeyId() != null) {
            n.put("AccessKeyId", e.accessKeyId());
        }
        n.put("EventTime", JsonRequest.epochSeconds(e.eventTime()));
        n.put("EventSource", e.eventSource());
        if (e.username() != null) {
            n.put("Username", e.username());
        }
        ArrayNode resources = n.putArray("Resources");
        for (Resource r : e.resources()) {
            resources.addObject().put("ResourceType", r.type()).put("ResourceName", r.name());
        }
        if (e.cloudTrailEvent() != null) {
            n.put("CloudTrailEvent", e.cloudTrailEvent());
        }
        return n;
    }

    private static Instant time(JsonRequest req, String field) {
        JsonNode n = req.node(field);
        if (n == null) {
            return null;
        }
        if (!n.isNumber()) {
            throw SandboxException.validation("1 validation error detected: Value at '" + JsonRequest.camel(field)
                    + "' failed to satisfy constraint: Member must be a timestamp");
        }
        BigDecimal millis = n.decimalValue().movePointRight(3);
        return Instant.ofEpochMilli(millis.longValue());
    }

    /** Token bucket per account and region: 2 tokens, refilled at 2 a second. */
    private synchronized boolean take(String key) {
        long now = System.nanoTime();
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(now));
        b.tokens = Math.min(CALLS_PER_SECOND, b.tokens + (now - b.refilledAt) / 1e9 * CALLS_PER_SECOND);
        b.refilledAt = now;
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        return false;
    }

    private static final class Bucket {
        double tokens = CALLS_PER_SECOND;
        long refilledAt;

        Bucket(long now) {
            this.refilledAt = now;
        }
    }
}
