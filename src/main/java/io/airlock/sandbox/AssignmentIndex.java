package io.airlock.sandbox;

import io.airlock.sandbox.SandboxState.Assignment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The emulator's account assignments in creation order, indexed by account and permission set,
 * so that ListAccountAssignments on an organization of 200,000 assignments reads one pair's,
 * not all of them. Guarded by the {@link SandboxState}'s monitor.
 */
final class AssignmentIndex {

    private final Set<Assignment> all = new LinkedHashSet<>();
    private final Map<List<String>, Set<Assignment>> byPair = new HashMap<>();
    private final Map<String, Integer> perPermissionSet = new HashMap<>();

    boolean add(Assignment a) {
        if (!all.add(a)) {
            return false;
        }
        byPair.computeIfAbsent(pair(a.accountId(), a.permissionSetArn()), k -> new LinkedHashSet<>()).add(a);
        perPermissionSet.merge(a.permissionSetArn(), 1, Integer::sum);
        return true;
    }

    boolean remove(Assignment a) {
        if (!all.remove(a)) {
            return false;
        }
        List<String> key = pair(a.accountId(), a.permissionSetArn());
        Set<Assignment> ofPair = byPair.get(key);
        ofPair.remove(a);
        if (ofPair.isEmpty()) {
            byPair.remove(key);
        }
        perPermissionSet.computeIfPresent(a.permissionSetArn(), (k, n) -> n == 1 ? null : n - 1);
        return true;
    }

    boolean contains(Assignment a) {
        return all.contains(a);
    }

    void removeIf(Predicate<Assignment> filter) {
        for (Assignment a : new ArrayList<>(all)) {
            if (filter.test(a)) {
                remove(a);
            }
        }
    }

    void clear() {
        all.clear();
        byPair.clear();
        perPermissionSet.clear();
    }

    List<Assignment> list() {
        return List.copyOf(all);
    }

    /** The assignments of one account and permission set, in creation order. */
    List<Assignment> of(String accountId, String permissionSetArn) {
        return List.copyOf(byPair.getOrDefault(pair(accountId, permissionSetArn), Set.of()));
    }

    boolean any(String accountId, String permissionSetArn) {
        return byPair.containsKey(pair(accountId, permissionSetArn));
    }

    boolean anyOf(String permissionSetArn) {
        return perPermissionSet.containsKey(permissionSetArn);
    }

    private static List<String> pair(String accountId, String permissionSetArn) {
        return List.of(accountId, permissionSetArn);
    }
}
