package io.airlock.sandbox;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The emulated organization: accounts, Identity Center instance, users, groups, permission sets,
 * account assignments and asynchronous requests. All methods are thread-safe (one monitor).
 *
 * <p>Asynchronous requests complete by time: a request is IN_PROGRESS until {@code operationDelay}
 * has passed since it was created; it is then settled (its change applied, or FAILED when a fault
 * was injected) the next time anyone looks at the state.
 */
public final class SandboxState {

    /** An account assignment as ListAccountAssignments reports it. */
    public record Assignment(String accountId, String permissionSetArn, String principalType, String principalId) {
    }

    /** A snapshot of one permission set. */
    public record PermissionSetInfo(String arn, String name, String description, String sessionDuration,
                                    Instant createdDate, List<String> managedPolicyArns, String inlinePolicy,
                                    Map<String, String> tags) {
    }

    /** A snapshot of one asynchronous request. */
    public record AsyncRequestInfo(String requestId, String operation, String status, String failureReason,
                                   Instant createdDate) {
    }

    public record User(String userId, String userName, String givenName, String familyName, String displayName,
                       String email, Instant createdAt) {
    }

    public record Group(String groupId, String displayName, String description, Instant createdAt) {
    }

    public record Membership(String membershipId, String groupId, String userId, Instant createdAt) {
    }

    /** An account of the organization: where it sits (the root or an OU id) and its tags. */
    public record Account(String id, String name, String email, Instant joinedAt, String parentId,
                          Map<String, String> tags) {
    }

    /** An organizational unit. */
    public record OrganizationalUnit(String id, String name, String parentId) {
    }

    /**
     * When the first CreateAccountAssignment call for one principal, permission set and account
     * reached the emulator (throttled or not), for latency measurements: {@code nanoTime} is
     * {@link System#nanoTime()} at arrival, comparable with the same clock in the same JVM.
     */
    public record CreationArrival(String principalId, String permissionSetArn, String accountId, long nanoTime,
                                  Instant at, int calls) {
    }

    /**
     * A CreateAccountAssignment or DeleteAccountAssignment call the emulator acted on (not
     * throttled, no conflict, no validation error): which assignment, and when it arrived
     * ({@code nanoTime} as in {@link CreationArrival}).
     */
    public record AssignmentCall(String operation, String principalId, String permissionSetArn, String accountId,
                                 long nanoTime, Instant at) {
    }

    static final String CREATE = "CreateAccountAssignment";
    static final String DELETE = "DeleteAccountAssignment";
    static final String PROVISION = "ProvisionPermissionSet";

    static final class MutablePermissionSet {
        final String arn;
        final String name;
        String description;
        String sessionDuration;
        String relayState;
        final Instant createdDate;
        final List<String> managedPolicyArns = new ArrayList<>();
        String inlinePolicy;
        final Map<String, String> tags = new LinkedHashMap<>();

        MutablePermissionSet(String arn, String name, String description, String sessionDuration,
                             String relayState, Instant createdDate) {
            this.arn = arn;
            this.name = name;
            this.description = description;
            this.sessionDuration = sessionDuration;
            this.relayState = relayState;
            this.createdDate = createdDate;
        }

        PermissionSetInfo snapshot() {
            return new PermissionSetInfo(arn, name, description, sessionDuration, createdDate,
                    List.copyOf(managedPolicyArns), inlinePolicy, Collections.unmodifiableMap(new LinkedHashMap<>(tags)));
        }
    }

    static final class AsyncRequest {
        final String requestId;
        final String operation;
        final Instant createdDate;
        final Instant due;
        final Assignment assignment;      // create/delete
        final String permissionSetArn;
        final String targetId;            // account id, null for ALL_PROVISIONED_ACCOUNTS
        final String targetType;
        final String injectedFailure;
        String status = "IN_PROGRESS";
        String failureReason;

        AsyncRequest(String operation, Instant createdDate, Instant due, Assignment assignment,
                     String permissionSetArn, String targetId, String targetType, String injectedFailure) {
            this.requestId = UUID.randomUUID().toString();
            this.operation = operation;
            this.createdDate = createdDate;
            this.due = due;
            this.assignment = assignment;
            this.permissionSetArn = permissionSetArn;
            this.targetId = targetId;
            this.targetType = targetType;
            this.injectedFailure = injectedFailure;
        }

        boolean inProgress() {
            return "IN_PROGRESS".equals(status);
        }

        AsyncRequestInfo snapshot() {
            return new AsyncRequestInfo(requestId, operation, status, failureReason, createdDate);
        }
    }

    private final SandboxSettings settings;
    private final SandboxFaults faults;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Draws each asynchronous operation's delay when the settings give a spread; null: the fixed delay. */
    private final DelaySpread.Sampler delays;

    // organization and identity store (guarded by this)
    private final Map<String, Account> accounts = new LinkedHashMap<>();
    private final Map<String, OrganizationalUnit> ous = new LinkedHashMap<>();
    private final Map<String, User> users = new LinkedHashMap<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    /** Group memberships by group id, each group's in creation order. */
    private final Map<String, List<Membership>> memberships = new LinkedHashMap<>();
    private final Map<String, MutablePermissionSet> permissionSets = new LinkedHashMap<>();
    private final AssignmentIndex assignments = new AssignmentIndex();
    /** permission set ARN -> (account id -> provisioned with the latest version). */
    private final Map<String, Map<String, Boolean>> provisioned = new LinkedHashMap<>();
    /**
     * permission set ARN -> (account id -> the inline policy its role in the account carries):
     * what AWS enforces, which changes only when the set is provisioned (or first assigned).
     */
    private final Map<String, Map<String, String>> provisionedPolicies = new LinkedHashMap<>();
    private final Map<String, AsyncRequest> requests = new LinkedHashMap<>();
    /** Delays of the creations accepted since the last resetCounters, the first 100,000 (guarded by this). */
    private static final int MAX_CREATION_DELAYS = 100_000;
    private final List<Long> creationDelays = new ArrayList<>();
    private Instant instanceCreated;
    /** Session access key id (from AssumeRole) -> the account of the assumed role. */
    private final Map<String, String> sessionAccounts = new ConcurrentHashMap<>();
    /** Told of every account assignment that has just been created (the emulated CloudTrail's demo events). */
    private volatile java.util.function.BiConsumer<Assignment, Instant> assignmentCreated = (a, at) -> { };

    // counters
    private final Map<String, AtomicLong> callCounts = new ConcurrentHashMap<>();
    /** Never reset: every IAM action a client ever used against this emulator. */
    private final Map<String, Map<String, AtomicLong>> actionCounts = new ConcurrentHashMap<>();
    private final AtomicLong throttledCalls = new AtomicLong();
    private final Deque<Long> callWindow = new ArrayDeque<>();

    // arrivals of CreateAccountAssignment calls (guarded by creationArrivals), the most recent 10,000
    private static final int MAX_CREATION_ARRIVALS = 10_000;
    private final Map<List<String>, CreationArrival> creationArrivals = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<String>, CreationArrival> eldest) {
            return size() > MAX_CREATION_ARRIVALS;
        }
    };

    // Create/DeleteAccountAssignment calls acted on (guarded by assignmentCalls), the most recent 100,000
    private static final int MAX_ASSIGNMENT_CALLS = 100_000;
    private final Deque<AssignmentCall> assignmentCalls = new ArrayDeque<>();

    SandboxState(SandboxSettings settings, SandboxFaults faults, Clock clock) {
        this.settings = settings;
        this.faults = faults;
        this.clock = clock;
        this.delays = settings.operationDelaySpread() == null ? null : settings.operationDelaySpread().sampler();
        seed();
    }

    // ------------------------------------------------------------------ public inspection API

    /** Visible account assignments (completed creations only), in creation order. */
    public synchronized List<Assignment> assignments() {
        settle();
        return assignments.list();
    }

    public synchronized boolean hasAssignment(String accountId, String permissionSetArn, String principalType,
                                              String principalId) {
        settle();
        return assignments.contains(new Assignment(accountId, permissionSetArn, principalType, principalId));
    }

    public synchronized List<PermissionSetInfo> permissionSets() {
        return permissionSets.values().stream().map(MutablePermissionSet::snapshot).toList();
    }

    /** The ARN of the permission set with that name; throws NoSuchElementException if there is none. */
    public synchronized String permissionSetArnByName(String name) {
        return permissionSets.values().stream().filter(p -> p.name.equals(name)).map(p -> p.arn).findFirst()
                .orElseThrow(() -> new NoSuchElementException("No permission set named " + name));
    }

    /** The identity store user id of that user name; throws NoSuchElementException if there is none. */
    public synchronized String userIdByName(String userName) {
        return findUserByName(userName).map(User::userId)
                .orElseThrow(() -> new NoSuchElementException("No user named " + userName));
    }

    /** The identity store group id of that display name; throws NoSuchElementException if there is none. */
    public synchronized String groupIdByName(String displayName) {
        return groups.values().stream().filter(g -> g.displayName().equalsIgnoreCase(displayName))
                .map(Group::groupId).findFirst()
                .orElseThrow(() -> new NoSuchElementException("No group named " + displayName));
    }

    public synchronized List<User> users() {
        return List.copyOf(users.values());
    }

    public synchronized List<Group> groups() {
        return List.copyOf(groups.values());
    }

    public synchronized List<Account> accounts() {
        return List.copyOf(accounts.values());
    }

    /** The organizational units (not the root), in the order they were made. */
    public synchronized List<OrganizationalUnit> organizationalUnits() {
        return List.copyOf(ous.values());
    }

    /** How many members each group has, by group id (groups without members: absent). */
    public synchronized Map<String, Integer> membershipCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        memberships.forEach((group, members) -> counts.put(group, members.size()));
        return counts;
    }

    /** The accounts each permission set is provisioned to (latest or not), by permission set ARN. */
    public synchronized Map<String, List<String>> provisionedAccounts() {
        settle();
        Map<String, List<String>> result = new LinkedHashMap<>();
        provisioned.forEach((arn, accountsOfPs) -> result.put(arn, List.copyOf(accountsOfPs.keySet())));
        return result;
    }

    /** All asynchronous requests (create, delete, provision), oldest first. */
    public synchronized List<AsyncRequestInfo> asyncRequests() {
        settle();
        return requests.values().stream().map(AsyncRequest::snapshot).toList();
    }

    /** Calls received for that operation (including throttled and fault-injected ones). */
    public long callCount(String operation) {
        AtomicLong count = callCounts.get(operation);
        return count == null ? 0 : count.get();
    }

    /** Calls received per operation. */
    public Map<String, Long> callCounts() {
        Map<String, Long> result = new TreeMap<>();
        callCounts.forEach((op, n) -> result.put(op, n.get()));
        return result;
    }

    /**
     * Calls one client (by access key id) made since the emulator started, by IAM action
     * ({@code service:Operation}), whatever {@link #resetCounters()} did: what that client's
     * role must be allowed to do.
     */
    public Map<String, Long> actionCounts(String accessKeyId) {
        Map<String, Long> result = new TreeMap<>();
        actionCounts.getOrDefault(accessKeyId, Map.of()).forEach((a, n) -> result.put(a, n.get()));
        return result;
    }

    /** Calls answered with ThrottlingException (rate limit or creations in flight). */
    public long throttledCalls() {
        return throttledCalls.get();
    }

    /**
     * The first CreateAccountAssignment call for that principal, permission set and account since
     * the last {@link #resetCounters()}, with how many such calls arrived in all.
     */
    public Optional<CreationArrival> creationArrival(String principalId, String permissionSetArn, String accountId) {
        synchronized (creationArrivals) {
            return Optional.ofNullable(creationArrivals.get(List.of(principalId, permissionSetArn, accountId)));
        }
    }

    /** Every recorded first CreateAccountAssignment arrival (at most the latest 10,000 assignments), oldest first. */
    public List<CreationArrival> creationArrivals() {
        synchronized (creationArrivals) {
            return List.copyOf(creationArrivals.values());
        }
    }

    /**
     * Every CreateAccountAssignment and DeleteAccountAssignment call acted on (the most recent
     * 100,000), oldest first: shows whether an assignment was created or deleted more than once.
     */
    public List<AssignmentCall> assignmentCalls() {
        synchronized (assignmentCalls) {
            return List.copyOf(assignmentCalls);
        }
    }

    /** Records a Create/DeleteAccountAssignment call acted on. */
    void recordAssignmentCall(String operation, String principalId, String permissionSetArn, String accountId,
                              long arrivedNanos) {
        AssignmentCall call = new AssignmentCall(operation, principalId, permissionSetArn, accountId, arrivedNanos,
                clock.instant());
        synchronized (assignmentCalls) {
            assignmentCalls.addLast(call);
            if (assignmentCalls.size() > MAX_ASSIGNMENT_CALLS) {
                assignmentCalls.removeFirst();
            }
        }
    }

    /**
     * How long each CreateAccountAssignment accepted since the last {@link #resetCounters()} stays
     * (or stayed) IN_PROGRESS, in nanoseconds, in order of creation (the first 100,000): the latencies a benchmark's
     * quota-implied maximum rests on.
     */
    public synchronized long[] creationDelays() {
        return creationDelays.stream().mapToLong(Long::longValue).toArray();
    }

    /** Zeroes call counts, throttling count and the records of assignment calls. */
    public synchronized void resetCounters() {
        creationDelays.clear();
        callCounts.clear();
        throttledCalls.set(0);
        callWindow.clear();
        synchronized (creationArrivals) {
            creationArrivals.clear();
        }
        synchronized (assignmentCalls) {
            assignmentCalls.clear();
        }
    }

    /** Back to the seed: DemoOrganization only, no assignments, no requests, counters zero. */
    public synchronized void reset() {
        accounts.clear();
        users.clear();
        groups.clear();
        memberships.clear();
        permissionSets.clear();
        assignments.clear();
        provisioned.clear();
        provisionedPolicies.clear();
        requests.clear();
        resetCounters();
        seed();
    }

    // ------------------------------------------------------------------ test set-up helpers

    /** Adds an assignment directly (already provisioned), bypassing the asynchronous API. */
    public synchronized void addAssignment(String accountId, String permissionSetArn, String principalType,
                                           String principalId) {
        Assignment a = new Assignment(accountId, permissionSetArn, principalType, principalId);
        assignments.add(a);
        provisioned.computeIfAbsent(permissionSetArn, k -> new LinkedHashMap<>()).put(accountId, true);
        snapshotPolicy(permissionSetArn, accountId);
    }

    /**
     * The inline policy the permission set's role in the account carries, as last provisioned
     * there (what AWS enforces); null when the set is not provisioned there or has none.
     */
    public synchronized String provisionedInlinePolicy(String permissionSetArn, String accountId) {
        settle();
        String policy = provisionedPolicies.getOrDefault(permissionSetArn, Map.of()).get(accountId);
        return policy == null || policy.isEmpty() ? null : policy;
    }

    /**
     * Whether AWS would deny every action to a session of the user, issued at {@code issuedAt},
     * of the permission set's role in the account: an explicit {@code Deny} on {@code *} in the
     * inline policy provisioned there, whose conditions match {@code identitystore:userId},
     * {@code aws:PrincipalAccount} and {@code aws:TokenIssueTime} ({@link PolicyEvaluation}).
     */
    public synchronized boolean sessionDenied(String permissionSetArn, String accountId, String userId,
                                              Instant issuedAt) {
        settle();
        String policy = provisionedPolicies.getOrDefault(permissionSetArn, Map.of()).get(accountId);
        if (policy == null || policy.isEmpty()) {
            return false;
        }
        return PolicyEvaluation.deniesEverything(policy, Map.of(
                "identitystore:userid", userId,
                "aws:principalaccount", accountId,
                "aws:tokenissuetime", issuedAt.toString()));
    }

    private void snapshotPolicy(String permissionSetArn, String accountId) {
        MutablePermissionSet ps = permissionSets.get(permissionSetArn);
        provisionedPolicies.computeIfAbsent(permissionSetArn, k -> new LinkedHashMap<>())
                .put(accountId, ps == null || ps.inlinePolicy == null ? "" : ps.inlinePolicy);
    }

    private void dropPolicySnapshot(String permissionSetArn, String accountId) {
        Map<String, String> byAccount = provisionedPolicies.get(permissionSetArn);
        if (byAccount != null) {
            byAccount.remove(accountId);
            if (byAccount.isEmpty()) {
                provisionedPolicies.remove(permissionSetArn);
            }
        }
    }

    /** Removes an assignment directly, bypassing the asynchronous API (e.g. drift made outside Airlock). */
    public synchronized boolean removeAssignment(String accountId, String permissionSetArn, String principalType,
                                                 String principalId) {
        return assignments.remove(new Assignment(accountId, permissionSetArn, principalType, principalId));
    }

    /** Adds a user to the identity store and returns its user id. */
    public synchronized String addUser(String userName, String givenName, String familyName, String email) {
        if (findUserByName(userName).isPresent()) {
            throw new IllegalArgumentException("User exists: " + userName);
        }
        String id = UUID.randomUUID().toString();
        users.put(id, new User(id, userName, givenName, familyName, givenName + " " + familyName, email,
                clock.instant()));
        return id;
    }

    /** Adds a member account to the organization. */
    public synchronized void addAccount(String accountId, String name) {
        addAccount(accountId, name, DemoOrganization.ROOT_ID, Map.of());
    }

    /** Adds a member account under the root or an OU ({@code parentId}), with tags. */
    public synchronized void addAccount(String accountId, String name, String parentId, Map<String, String> tags) {
        if (!accountId.matches("\\d{12}")) {
            throw new IllegalArgumentException("Account id must be 12 digits: " + accountId);
        }
        if (!DemoOrganization.ROOT_ID.equals(parentId) && !ous.containsKey(parentId)) {
            throw new IllegalArgumentException("No such root or OU: " + parentId);
        }
        accounts.put(accountId, new Account(accountId, name, "aws+" + name + "@airlock.example", clock.instant(),
                parentId, Map.copyOf(tags)));
    }

    /**
     * Removes a member account from the organization, as closing it or moving it out does: it
     * is no longer listed or described (assignments in it go with it).
     */
    public synchronized void removeAccount(String accountId) {
        accounts.remove(accountId);
        assignments.removeIf(a -> a.accountId().equals(accountId));
    }

    // ------------------------------------------------------------------ internal: seed, counters

    private void seed() {
        Instant seeded = Instant.parse("2024-01-15T09:00:00Z");
        instanceCreated = seeded;
        for (DemoOrganization.SeedOu ou : DemoOrganization.OUS) {
            seedOu(new OrganizationalUnit(ou.id(), ou.name(), ou.parentId()));
        }
        for (DemoOrganization.SeedAccount a : DemoOrganization.ACCOUNTS) {
            seedAccount(new Account(a.id(), a.name(), a.email(), seeded, a.parentId(), a.tags()));
        }
        for (DemoOrganization.SeedUser u : DemoOrganization.USERS) {
            seedUser(new User(u.userId(), u.userName(), u.givenName(), u.familyName(), u.displayName(),
                    u.email(), seeded));
        }
        int m = 1;
        for (DemoOrganization.SeedGroup g : DemoOrganization.GROUPS) {
            seedGroup(new Group(g.groupId(), g.displayName(), g.description(), seeded));
            for (String userId : g.memberUserIds()) {
                String membershipId = String.format("9067c0de-3e3b-4e00-a000-%012d", m++);
                addMembership(new Membership(membershipId, g.groupId(), userId, seeded));
            }
        }
        for (DemoOrganization.SeedPermissionSet p : DemoOrganization.PERMISSION_SETS) {
            seedPermissionSet(p.arn(), p.name(), p.description(), p.sessionDuration(), p.managedPolicyArn(), seeded);
        }
        ScaledOrganization.seed(this, settings.organization(), seeded);
    }

    // Seeding, under the monitor (the constructor or reset): no validation, no counters.

    void seedOu(OrganizationalUnit ou) {
        ous.put(ou.id(), ou);
    }

    void seedAccount(Account a) {
        accounts.put(a.id(), a);
    }

    void seedUser(User u) {
        users.put(u.userId(), u);
    }

    void seedGroup(Group g) {
        groups.put(g.groupId(), g);
    }

    void addMembership(Membership m) {
        memberships.computeIfAbsent(m.groupId(), k -> new ArrayList<>()).add(m);
    }

    void seedPermissionSet(String arn, String name, String description, String sessionDuration,
                           String managedPolicyArn, Instant created) {
        MutablePermissionSet ps = new MutablePermissionSet(arn, name, description, sessionDuration, null, created);
        ps.managedPolicyArns.add(managedPolicyArn);
        permissionSets.put(arn, ps);
    }

    /** An assignment that exists from the start; its permission set is provisioned to the account. */
    void seedAssignment(Assignment a) {
        assignments.add(a);
        if (!Boolean.TRUE.equals(provisioned.computeIfAbsent(a.permissionSetArn(), k -> new LinkedHashMap<>())
                .put(a.accountId(), true))) {
            snapshotPolicy(a.permissionSetArn(), a.accountId());
        }
    }

    /** Counts a call by its IAM action name, e.g. {@code sso:CreateAccountAssignment}. */
    void countAction(String accessKeyId, String action) {
        actionCounts.computeIfAbsent(accessKeyId, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(action, k -> new AtomicLong()).incrementAndGet();
    }

    void countCall(String operation) {
        callCounts.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
    }

    /** Records a CreateAccountAssignment call as it arrives, before any throttling or validation. */
    void recordCreationArrival(String principalId, String permissionSetArn, String accountId, long arrivedNanos) {
        if (principalId == null || permissionSetArn == null || accountId == null) {
            return;
        }
        Instant at = clock.instant();
        synchronized (creationArrivals) {
            creationArrivals.merge(List.of(principalId, permissionSetArn, accountId),
                    new CreationArrival(principalId, permissionSetArn, accountId, arrivedNanos, at, 1),
                    (first, again) -> new CreationArrival(first.principalId(), first.permissionSetArn(),
                            first.accountId(), first.nanoTime(), first.at(), first.calls() + 1));
        }
    }

    void countThrottled() {
        throttledCalls.incrementAndGet();
    }

    /** Sliding one-second window over accepted calls; false (and counted) when the limit is reached. */
    synchronized boolean tryAcquireCall() {
        long now = System.nanoTime();
        long windowStart = now - 1_000_000_000L;
        while (!callWindow.isEmpty() && callWindow.peekFirst() <= windowStart) {
            callWindow.pollFirst();
        }
        if (callWindow.size() >= settings.maxCallsPerSecond()) {
            throttledCalls.incrementAndGet();
            return false;
        }
        callWindow.addLast(now);
        return true;
    }

    Instant now() {
        return clock.instant();
    }

    /** Remembers in which account a session issued by AssumeRole acts. */
    void recordSession(String accessKeyId, String accountId) {
        sessionAccounts.put(accessKeyId, accountId);
    }

    /** The account a call signed with that access key acts in: its role's, else the management account. */
    String accountOf(String accessKeyId) {
        return sessionAccounts.getOrDefault(accessKeyId, DemoOrganization.MANAGEMENT_ACCOUNT_ID);
    }

    void onAssignmentCreated(java.util.function.BiConsumer<Assignment, Instant> listener) {
        this.assignmentCreated = listener;
    }

    // ------------------------------------------------------------------ internal: organization

    synchronized List<Account> accountList() {
        return List.copyOf(accounts.values());
    }

    /** The accounts directly under the root or an OU, in the order they joined. */
    synchronized List<Account> accountsUnder(String parentId) {
        return accounts.values().stream().filter(a -> a.parentId().equals(parentId)).toList();
    }

    /** The OUs directly under the root or an OU. */
    synchronized List<OrganizationalUnit> organizationalUnitsUnder(String parentId) {
        return ous.values().stream().filter(ou -> ou.parentId().equals(parentId)).toList();
    }

    synchronized Optional<OrganizationalUnit> organizationalUnit(String ouId) {
        return Optional.ofNullable(ous.get(ouId));
    }

    synchronized Optional<Account> account(String accountId) {
        return Optional.ofNullable(accounts.get(accountId));
    }

    Instant instanceCreated() {
        return instanceCreated;
    }

    // ------------------------------------------------------------------ internal: identity store

    synchronized Optional<User> findUserByName(String userName) {
        return users.values().stream().filter(u -> u.userName().equalsIgnoreCase(userName)).findFirst();
    }

    synchronized Optional<User> user(String userId) {
        return Optional.ofNullable(users.get(userId));
    }

    synchronized Optional<Group> group(String groupId) {
        return Optional.ofNullable(groups.get(groupId));
    }

    synchronized List<User> userList() {
        return List.copyOf(users.values());
    }

    synchronized List<Group> groupList() {
        return List.copyOf(groups.values());
    }

    synchronized List<Membership> membershipsOfGroup(String groupId) {
        return List.copyOf(memberships.getOrDefault(groupId, List.of()));
    }

    /** The membership with that id, in any group. */
    public synchronized Optional<Membership> membership(String membershipId) {
        return memberships.values().stream().flatMap(List::stream).filter(m -> m.membershipId().equals(membershipId))
                .findFirst();
    }

    /** Makes the user a member of the group; empty when already one (Identity Store's uniqueness). */
    public synchronized Optional<Membership> createMembership(String groupId, String userId) {
        if (membershipsOfGroup(groupId).stream().anyMatch(m -> m.userId().equals(userId))) {
            return Optional.empty();
        }
        Membership m = new Membership(UUID.randomUUID().toString(), groupId, userId, clock.instant());
        addMembership(m);
        return Optional.of(m);
    }

    /** Ends a membership; false when there is none with that id. */
    public synchronized boolean deleteMembership(String membershipId) {
        for (List<Membership> members : memberships.values()) {
            if (members.removeIf(m -> m.membershipId().equals(membershipId))) {
                return true;
            }
        }
        return false;
    }

    synchronized List<Membership> membershipsOfUser(String userId) {
        return memberships.values().stream().flatMap(List::stream).filter(m -> m.userId().equals(userId)).toList();
    }

    // ------------------------------------------------------------------ internal: permission sets

    synchronized MutablePermissionSet requirePermissionSet(String arn) {
        MutablePermissionSet ps = permissionSets.get(arn);
        if (ps == null) {
            throw SandboxException.notFound("Could not find PermissionSet with ARN " + arn);
        }
        return ps;
    }

    synchronized List<String> permissionSetArns() {
        return List.copyOf(permissionSets.keySet());
    }

    synchronized PermissionSetInfo createPermissionSet(String name, String description, String sessionDuration,
                                                       String relayState, Map<String, String> tags) {
        boolean exists = permissionSets.values().stream().anyMatch(p -> p.name.equalsIgnoreCase(name));
        if (exists) {
            throw SandboxException.conflict("PermissionSet with name " + name + " already exists.");
        }
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        String arn = "arn:aws:sso:::permissionSet/" + instanceId() + "/ps-" + HexFormat.of().formatHex(bytes);
        MutablePermissionSet ps = new MutablePermissionSet(arn, name, description,
                sessionDuration == null ? "PT1H" : sessionDuration, relayState, clock.instant());
        ps.tags.putAll(tags);
        permissionSets.put(arn, ps);
        return ps.snapshot();
    }

    synchronized void deletePermissionSet(String arn) {
        settle();
        requirePermissionSet(arn);
        boolean assigned = assignments.anyOf(arn);
        boolean busy = requests.values().stream().anyMatch(r -> r.inProgress() && arn.equals(r.permissionSetArn));
        Map<String, Boolean> accountsOfPs = provisioned.getOrDefault(arn, Map.of());
        if (assigned || busy || !accountsOfPs.isEmpty()) {
            throw SandboxException.conflict("PermissionSet " + arn
                    + " is provisioned to accounts or has account assignments; remove them first.");
        }
        permissionSets.remove(arn);
        provisioned.remove(arn);
        provisionedPolicies.remove(arn);
    }

    synchronized void putInlinePolicy(String arn, String policy) {
        requirePermissionSet(arn).inlinePolicy = policy;
        markOutdated(arn);
    }

    synchronized String inlinePolicy(String arn) {
        String policy = requirePermissionSet(arn).inlinePolicy;
        return policy == null ? "" : policy;
    }

    synchronized void deleteInlinePolicy(String arn) {
        requirePermissionSet(arn).inlinePolicy = null;
        markOutdated(arn);
    }

    synchronized void attachManagedPolicy(String arn, String policyArn) {
        MutablePermissionSet ps = requirePermissionSet(arn);
        if (ps.managedPolicyArns.contains(policyArn)) {
            throw SandboxException.conflict("Managed policy " + policyArn + " is already attached to " + arn);
        }
        if (ps.managedPolicyArns.size() >= 20) {
            throw new SandboxException("ServiceQuotaExceededException", 402,
                    "A permission set can have at most 20 managed policies.");
        }
        ps.managedPolicyArns.add(policyArn);
        markOutdated(arn);
    }

    synchronized List<String> managedPolicies(String arn) {
        return List.copyOf(requirePermissionSet(arn).managedPolicyArns);
    }

    synchronized void tagResource(String arn, Map<String, String> tags) {
        MutablePermissionSet ps = requirePermissionSet(arn);
        Map<String, String> merged = new LinkedHashMap<>(ps.tags);
        merged.putAll(tags);
        if (merged.size() > 50) {
            throw SandboxException.validation("A resource can have at most 50 tags.");
        }
        ps.tags.clear();
        ps.tags.putAll(merged);
    }

    synchronized Map<String, String> tags(String arn) {
        return new LinkedHashMap<>(requirePermissionSet(arn).tags);
    }

    private void markOutdated(String arn) {
        Map<String, Boolean> accountsOfPs = provisioned.get(arn);
        if (accountsOfPs != null) {
            accountsOfPs.replaceAll((k, v) -> false);
        }
    }

    /** Permission sets provisioned to the account, filtered by provisioning status (null = all). */
    synchronized List<String> permissionSetsProvisionedTo(String accountId, String provisioningStatus) {
        settle();
        List<String> result = new ArrayList<>();
        provisioned.forEach((arn, accountsOfPs) -> {
            Boolean latest = accountsOfPs.get(accountId);
            if (latest != null && matchesProvisioningStatus(latest, provisioningStatus)) {
                result.add(arn);
            }
        });
        return result;
    }

    synchronized List<String> accountsProvisionedWith(String arn, String provisioningStatus) {
        settle();
        requirePermissionSet(arn);
        List<String> result = new ArrayList<>();
        provisioned.getOrDefault(arn, Map.of()).forEach((accountId, latest) -> {
            if (matchesProvisioningStatus(latest, provisioningStatus)) {
                result.add(accountId);
            }
        });
        return result;
    }

    private static boolean matchesProvisioningStatus(boolean latest, String filter) {
        if (filter == null) {
            return true;
        }
        return "LATEST_PERMISSION_SET_PROVISIONED".equals(filter) == latest;
    }

    // ------------------------------------------------------------------ internal: asynchronous operations

    synchronized AsyncRequest createAssignment(Assignment a) {
        settle();
        checkAssignmentTargets(a);
        long inFlight = requests.values().stream().filter(r -> r.inProgress() && CREATE.equals(r.operation)).count();
        if (inFlight >= settings.maxCreationsInFlight()) {
            throttledCalls.incrementAndGet();
            throw SandboxException.throttling("Rate exceeded: " + inFlight
                    + " account assignment creations are already in progress (limit "
                    + settings.maxCreationsInFlight() + ").");
        }
        checkNoConflict(a);
        return submit(CREATE, a, a.permissionSetArn(), a.accountId(), "AWS_ACCOUNT");
    }

    /**
     * Deleting an assignment that does not exist is accepted and its request SUCCEEDS: AWS treats
     * DeleteAccountAssignment as idempotent once the permission set, principal and account exist
     * (unknown permission set / principal / account are still ResourceNotFoundException).
     */
    synchronized AsyncRequest deleteAssignment(Assignment a) {
        settle();
        checkAssignmentTargets(a);
        checkNoConflict(a);
        return submit(DELETE, a, a.permissionSetArn(), a.accountId(), "AWS_ACCOUNT");
    }

    synchronized AsyncRequest provision(String permissionSetArn, String targetId, String targetType) {
        settle();
        requirePermissionSet(permissionSetArn);
        if (targetId != null) {
            requireAccount(targetId);
        }
        boolean busy = requests.values().stream().anyMatch(r -> r.inProgress() && PROVISION.equals(r.operation)
                && r.permissionSetArn.equals(permissionSetArn)
                && (r.targetId == null || targetId == null || r.targetId.equals(targetId)));
        if (busy) {
            throw SandboxException.conflict("Another provisioning of PermissionSet " + permissionSetArn
                    + " is in progress. Retry after it completes.");
        }
        return submit(PROVISION, null, permissionSetArn, targetId, targetType);
    }

    synchronized AsyncRequest request(String requestId, String operation) {
        settle();
        AsyncRequest r = requests.get(requestId);
        if (r == null || !r.operation.equals(operation)) {
            throw SandboxException.notFound("Could not find request with id " + requestId);
        }
        return r;
    }

    synchronized List<AsyncRequest> requestsOf(String operation, String statusFilter) {
        settle();
        return requests.values().stream()
                .filter(r -> r.operation.equals(operation))
                .filter(r -> statusFilter == null || statusFilter.equals(r.status))
                .toList();
    }

    synchronized List<Assignment> assignmentsFor(String accountId, String permissionSetArn) {
        settle();
        requireAccount(accountId);
        requirePermissionSet(permissionSetArn);
        return assignments.of(accountId, permissionSetArn);
    }

    void requireAccount(String accountId) {
        if (!accounts.containsKey(accountId)) {
            throw SandboxException.notFound("Account " + accountId + " is not a member of organization "
                    + DemoOrganization.ORGANIZATION_ID + ".");
        }
    }

    private void checkAssignmentTargets(Assignment a) {
        requirePermissionSet(a.permissionSetArn());
        requireAccount(a.accountId());
        boolean principalExists = "USER".equals(a.principalType())
                ? users.containsKey(a.principalId())
                : groups.containsKey(a.principalId());
        if (!principalExists) {
            throw SandboxException.notFound("Could not find " + a.principalType() + " principal with id "
                    + a.principalId() + " in identity store " + DemoOrganization.IDENTITY_STORE_ID + ".");
        }
    }

    private void checkNoConflict(Assignment a) {
        for (AsyncRequest r : requests.values()) {
            if (!r.inProgress()) {
                continue;
            }
            if (PROVISION.equals(r.operation) && r.permissionSetArn.equals(a.permissionSetArn())
                    && (r.targetId == null || r.targetId.equals(a.accountId()))) {
                throw SandboxException.conflict("PermissionSet " + a.permissionSetArn()
                        + " is being provisioned to account " + a.accountId()
                        + " (request " + r.requestId + "). Retry after it completes.");
            }
            if (a.equals(r.assignment)) {
                throw SandboxException.conflict("An account assignment operation for this assignment is already"
                        + " in progress (request " + r.requestId + "). Retry after it completes.");
            }
        }
    }

    private AsyncRequest submit(String operation, Assignment a, String permissionSetArn, String targetId,
                                String targetType) {
        Instant created = clock.instant();
        Duration delay = delays == null ? settings.operationDelay() : delays.next();
        if (CREATE.equals(operation) && creationDelays.size() < MAX_CREATION_DELAYS) {
            creationDelays.add(delay.toNanos());
        }
        AsyncRequest r = new AsyncRequest(operation, created, created.plus(delay), a, permissionSetArn, targetId,
                targetType, faults.takeAsyncFault(operation));
        requests.put(r.requestId, r);
        return r;
    }

    /** Completes every request whose delay has passed, oldest first. */
    private void settle() {
        Instant now = clock.instant();
        for (Iterator<AsyncRequest> it = requests.values().iterator(); it.hasNext(); ) {
            AsyncRequest r = it.next();
            if (!r.inProgress() || now.isBefore(r.due)) {
                continue;
            }
            if (r.injectedFailure != null) {
                r.status = "FAILED";
                r.failureReason = r.injectedFailure;
                continue;
            }
            switch (r.operation) {
                case CREATE -> {
                    if (assignments.add(r.assignment)) {
                        assignmentCreated.accept(r.assignment, r.due);
                    }
                    Map<String, Boolean> accountsOfPs =
                            provisioned.computeIfAbsent(r.permissionSetArn, k -> new LinkedHashMap<>());
                    if (!Boolean.TRUE.equals(accountsOfPs.put(r.targetId, true))) {
                        snapshotPolicy(r.permissionSetArn, r.targetId); // first assignment provisions the latest
                    }
                }
                case DELETE -> {
                    assignments.remove(r.assignment);
                    boolean anyLeft = assignments.any(r.targetId, r.permissionSetArn);
                    if (!anyLeft) {
                        // like AWS: the last assignment removes the provisioned role from the account
                        Map<String, Boolean> accountsOfPs = provisioned.get(r.permissionSetArn);
                        if (accountsOfPs != null) {
                            accountsOfPs.remove(r.targetId);
                            if (accountsOfPs.isEmpty()) {
                                provisioned.remove(r.permissionSetArn);
                            }
                        }
                        dropPolicySnapshot(r.permissionSetArn, r.targetId);
                    }
                }
                case PROVISION -> {
                    Map<String, Boolean> accountsOfPs =
                            provisioned.computeIfAbsent(r.permissionSetArn, k -> new LinkedHashMap<>());
                    if (r.targetId == null) {
                        accountsOfPs.replaceAll((k, v) -> true);
                        accountsOfPs.keySet().forEach(account -> snapshotPolicy(r.permissionSetArn, account));
                    } else {
                        accountsOfPs.put(r.targetId, true);
                        snapshotPolicy(r.permissionSetArn, r.targetId);
                    }
                }
                default -> throw new IllegalStateException(r.operation);
            }
            r.status = "SUCCEEDED";
        }
        // keep the request history bounded, like AWS keeps it for a limited time
        if (requests.size() > 10_000) {
            Iterator<AsyncRequest> it = requests.values().iterator();
            while (requests.size() > 10_000 && it.hasNext()) {
                if (!it.next().inProgress()) {
                    it.remove();
                }
            }
        }
    }

    static String instanceId() {
        String arn = DemoOrganization.INSTANCE_ARN;
        return arn.substring(arn.lastIndexOf('/') + 1);
    }
}
