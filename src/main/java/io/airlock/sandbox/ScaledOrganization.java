package io.airlock.sandbox;

import io.airlock.sandbox.SandboxState.Account;
import io.airlock.sandbox.SandboxState.Assignment;
import io.airlock.sandbox.SandboxState.Group;
import io.airlock.sandbox.SandboxState.Membership;
import io.airlock.sandbox.SandboxState.OrganizationalUnit;
import io.airlock.sandbox.SandboxState.User;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A large organization seeded beside the demo one, from its {@link OrganizationScale} alone:
 * no randomness, so every start (and every benchmark run) sees the same organization.
 *
 * <ul>
 *   <li>OUs: {@code ouFanOut} under the root, and as many under each of those, {@code ouDepth}
 *       levels deep ("Scale-1/Scale-1-3/Scale-1-3-2"); accounts are spread over all OUs in turn,
 *       every 50th directly under the root.
 *   <li>Accounts {@code 500000000000}, {@code 500000000001}, ... named {@code scale-00000}, tagged
 *       {@code environment} (prod, staging, dev, sandbox in turn) and {@code owner} (40 teams).
 *   <li>Users {@code scale-user-00000}, ...; groups {@code scale-group-0000}, ...; user <i>i</i> is
 *       a member of groups <i>i</i> mod G and (7<i>i</i> + 1) mod G.
 *   <li>Permission sets {@code Scale0000}, ..., each with one AWS managed policy.
 *   <li>Each account has {@code permissionSetsPerAccount} of them provisioned, and its share of
 *       the assignments spread over those, one in five to a user, the others to groups.
 * </ul>
 * Memory: the 200,000 assignments of the largest organization share their id strings with the
 * accounts, permission sets and principals they name.
 */
final class ScaledOrganization {

    static final String ACCOUNT_ID_PREFIX = "5";
    private static final String[] ENVIRONMENTS = {"prod", "staging", "dev", "sandbox"};
    private static final String MANAGED_POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess";

    private ScaledOrganization() {
    }

    static String accountId(int i) {
        return String.format("%s%011d", ACCOUNT_ID_PREFIX, i);
    }

    static String userId(int i) {
        return String.format("5ca1e000-0000-4000-8000-%012d", i);
    }

    static String groupId(int i) {
        return String.format("5ca1e000-0000-4000-9000-%012d", i);
    }

    static String permissionSetArn(int i) {
        return "arn:aws:sso:::permissionSet/" + SandboxState.instanceId() + "/ps-5ca1e" + String.format("%011x", i);
    }

    static void seed(SandboxState state, OrganizationScale scale, Instant seeded) {
        if (scale.demoOnly()) {
            return;
        }
        List<String> parents = seedOus(state, scale);
        for (int i = 0; i < scale.accounts(); i++) {
            String parent = i % 50 == 49 ? DemoOrganization.ROOT_ID : parents.get(i % parents.size());
            String name = String.format("scale-%05d", i);
            state.seedAccount(new Account(accountId(i), name, "aws+" + name + "@airlock.example", seeded, parent,
                    Map.of("environment", ENVIRONMENTS[i % ENVIRONMENTS.length],
                            "owner", String.format("team-%02d", i % 40))));
        }
        List<String> userIds = new ArrayList<>(scale.users());
        for (int i = 0; i < scale.users(); i++) {
            String id = userId(i);
            userIds.add(id);
            String name = String.format("scale-user-%05d", i);
            state.seedUser(new User(id, name, "User", String.valueOf(i), "User " + i, name + "@airlock.example",
                    seeded));
        }
        List<String> groupIds = new ArrayList<>(scale.groups());
        for (int g = 0; g < scale.groups(); g++) {
            groupIds.add(groupId(g));
            state.seedGroup(new Group(groupId(g), String.format("scale-group-%04d", g), "Scaled group " + g, seeded));
        }
        int membership = 0;
        for (int i = 0; i < userIds.size() && !groupIds.isEmpty(); i++) {
            int first = i % groupIds.size();
            int second = (7 * i + 1) % groupIds.size();
            for (int g : first == second ? new int[] {first} : new int[] {first, second}) {
                state.addMembership(new Membership(String.format("5ca1e000-3e3b-4e00-a000-%012d", membership++),
                        groupIds.get(g), userIds.get(i), seeded));
            }
        }
        List<String> arns = new ArrayList<>(scale.permissionSets());
        for (int p = 0; p < scale.permissionSets(); p++) {
            arns.add(permissionSetArn(p));
            state.seedPermissionSet(arns.get(p), String.format("Scale%04d", p), "Scaled permission set " + p,
                    "PT1H", MANAGED_POLICY, seeded);
        }
        seedAssignments(state, scale, arns, userIds, groupIds);
    }

    /** The OUs breadth first; returns their ids (where accounts go). */
    private static List<String> seedOus(SandboxState state, OrganizationScale scale) {
        List<String> all = new ArrayList<>();
        List<String[]> level = new ArrayList<>();
        level.add(new String[] {DemoOrganization.ROOT_ID, "Scale"});
        for (int depth = 0; depth < scale.ouDepth(); depth++) {
            List<String[]> next = new ArrayList<>();
            for (String[] parent : level) {
                for (int c = 1; c <= scale.ouFanOut(); c++) {
                    String id = String.format("ou-ai01-s%07d", all.size());
                    String name = parent[1] + "-" + c;
                    state.seedOu(new OrganizationalUnit(id, name, parent[0]));
                    all.add(id);
                    next.add(new String[] {id, name});
                }
            }
            level = next;
        }
        return all;
    }

    private static void seedAssignments(SandboxState state, OrganizationScale scale, List<String> arns,
                                        List<String> userIds, List<String> groupIds) {
        if (scale.assignments() == 0) {
            return;
        }
        int perAccount = Math.min(scale.permissionSetsPerAccount(), arns.size());
        int n = 0; // assignments made so far, in all accounts: every fifth is a user's
        for (int i = 0; i < scale.accounts(); i++) {
            String account = accountId(i);
            List<String> provisioned = new ArrayList<>(perAccount);
            for (int j = 0; provisioned.size() < perAccount; j++) {
                String arn = arns.get(Math.floorMod(31 * i + 97 * j, arns.size()));
                if (!provisioned.contains(arn)) {
                    provisioned.add(arn);
                }
            }
            int count = scale.assignments() / scale.accounts() + (i < scale.assignments() % scale.accounts() ? 1 : 0);
            Set<Assignment> made = new LinkedHashSet<>();
            for (int t = 0; made.size() < count && t < 20 * count + 20; t++) {
                String arn = provisioned.get(t % perAccount);
                boolean user = groupIds.isEmpty() || (n % 5 == 4 && !userIds.isEmpty());
                Assignment a = user
                        ? new Assignment(account, arn, "USER", userIds.get(Math.floorMod(131 * i + 37 * t, userIds.size())))
                        : new Assignment(account, arn, "GROUP",
                                groupIds.get(Math.floorMod(13 * i + 17 * t, groupIds.size())));
                if (made.add(a)) {
                    state.seedAssignment(a);
                    n++;
                }
            }
        }
    }
}
