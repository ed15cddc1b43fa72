package io.airlock.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.organizations.model.ParentNotFoundException;

/** The emulator seeds a large organization from its counts alone, and lists it as AWS does. */
class ScaledOrganizationTest {

    static final OrganizationScale SMALL = new OrganizationScale(120, 3, 2, 300, 25, 40, 4, 1_000);

    static SandboxSettings settings(OrganizationScale scale) {
        return new SandboxSettings(0, Duration.ZERO, 100_000, 15, "x").withOrganization(scale);
    }

    @Test
    void theOrganizationHasTheCountsAskedForBesideTheDemoOne() {
        try (AwsSandbox sandbox = AwsSandbox.start(settings(SMALL))) {
            SandboxState state = sandbox.state();
            assertThat(state.accounts()).hasSize(120 + DemoOrganization.ACCOUNTS.size());
            assertThat(state.users()).hasSize(300 + DemoOrganization.USERS.size());
            assertThat(state.groups()).hasSize(25 + DemoOrganization.GROUPS.size());
            assertThat(state.permissionSets()).hasSize(40 + DemoOrganization.PERMISSION_SETS.size());
            assertThat(state.assignments()).hasSize(1_000);
            // every account has its share: 1,000 over 120 accounts, over 4 permission sets each
            assertThat(state.assignments().stream().map(SandboxState.Assignment::accountId).distinct()).hasSize(120);
            assertThat(state.assignments().stream().filter(a -> a.principalType().equals("USER")).count())
                    .isEqualTo(200);
            assertThat(state.userIdByName("alice")).isEqualTo(DemoOrganization.ALICE_USER_ID);
        }
    }

    @Test
    void everyStartSeedsTheSameOrganization() {
        List<SandboxState.Assignment> first;
        try (AwsSandbox sandbox = AwsSandbox.start(settings(SMALL))) {
            first = sandbox.state().assignments();
        }
        try (AwsSandbox sandbox = AwsSandbox.start(settings(SMALL))) {
            assertThat(sandbox.state().assignments()).containsExactlyElementsOf(first);
            sandbox.state().reset();
            assertThat(sandbox.state().assignments()).containsExactlyElementsOf(first);
        }
    }

    @Test
    void theOuTreeWalkedFromTheRootFindsEveryAccountWithItsPath() {
        try (AwsSandbox sandbox = AwsSandbox.start(settings(SMALL)); SdkClients aws = new SdkClients(sandbox)) {
            String root = aws.organizations.listRoots(r -> { }).roots().get(0).id();
            assertThat(root).isEqualTo(DemoOrganization.ROOT_ID);
            Set<String> found = new HashSet<>();
            List<String> paths = new ArrayList<>();
            Deque<String[]> parents = new ArrayDeque<>();
            parents.add(new String[] {root, ""});
            int ous = 0;
            while (!parents.isEmpty()) {
                String[] parent = parents.poll();
                for (var ou : aws.organizations.listOrganizationalUnitsForParentPaginator(r -> r.parentId(parent[0]))
                        .stream().flatMap(p -> p.organizationalUnits().stream()).toList()) {
                    ous++;
                    parents.add(new String[] {ou.id(), parent[1].isEmpty() ? ou.name() : parent[1] + "/" + ou.name()});
                }
                aws.organizations.listAccountsForParentPaginator(r -> r.parentId(parent[0])).stream()
                        .flatMap(p -> p.accounts().stream()).forEach(a -> {
                            found.add(a.id());
                            if (a.name().equals("scale-00004")) {
                                paths.add(parent[1]);
                            }
                        });
            }
            assertThat(found).hasSize(124);
            assertThat(ous).isEqualTo(3 + 9 + DemoOrganization.OUS.size());
            // account 4 sits in the fifth of the scaled OUs, breadth first: the second child of the first top OU
            assertThat(paths).containsExactly("Scale-1/Scale-1-2");
            assertThat(aws.organizations.listParents(r -> r.childId("500000000004")).parents().get(0).id())
                    .isEqualTo("ou-ai01-s0000004");
            assertThatThrownBy(() -> aws.organizations.listAccountsForParent(r -> r.parentId("ou-ai01-s9999999")))
                    .isInstanceOf(ParentNotFoundException.class);
        }
    }

    @Test
    void assignmentsAreListedPerAccountAndPermissionSetAsProvisioned() {
        try (AwsSandbox sandbox = AwsSandbox.start(settings(SMALL)); SdkClients aws = new SdkClients(sandbox)) {
            String account = ScaledOrganization.accountId(7);
            List<String> provisioned = aws.ssoAdmin.listPermissionSetsProvisionedToAccountPaginator(r -> r
                    .instanceArn(DemoOrganization.INSTANCE_ARN).accountId(account)).permissionSets().stream().toList();
            assertThat(provisioned).hasSize(4);
            int listed = 0;
            for (String arn : provisioned) {
                assertThat(aws.ssoAdmin.listAccountsForProvisionedPermissionSetPaginator(r -> r
                        .instanceArn(DemoOrganization.INSTANCE_ARN).permissionSetArn(arn)).accountIds())
                        .contains(account);
                listed += aws.ssoAdmin.listAccountAssignmentsPaginator(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
                        .accountId(account).permissionSetArn(arn)).accountAssignments().stream().toList().size();
            }
            long expected = sandbox.state().assignments().stream().filter(a -> a.accountId().equals(account)).count();
            assertThat(listed).isEqualTo(expected).isPositive();
        }
    }

    @Test
    void theStandaloneEmulatorTakesTheLargestOrganizationOrCountsOfItsOwn() {
        assertThat(SandboxMain.organization(java.util.Map.of("organization", "largest")))
                .isEqualTo(OrganizationScale.LARGEST);
        assertThat(SandboxMain.organization(java.util.Map.of("accounts", "30", "permission-sets", "3", "groups", "2",
                "assignments", "90"))).isEqualTo(new OrganizationScale(30, 5, 3, 0, 2, 3, 5, 90));
        assertThat(SandboxMain.organization(java.util.Map.of())).isEqualTo(OrganizationScale.DEMO);
    }

    @Test
    void countsBeyondAwsLimitsAreRefused() {
        assertThatThrownBy(() -> new OrganizationScale(10_001, 5, 3, 0, 0, 0, 5, 0))
                .hasMessageContaining("10000");
        assertThatThrownBy(() -> new OrganizationScale(10, 5, 6, 0, 0, 0, 5, 0))
                .hasMessageContaining("five deep");
    }
}
