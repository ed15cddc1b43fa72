package io.airlock.identity;

import io.airlock.config.AirlockProperties;
import io.airlock.sandbox.SandboxEndpoint;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Demo users, only when AWS is the sandbox's emulator (the embedded default, or
 * {@code AIRLOCK_AWS_SANDBOX=true} asked for explicitly): their user names match the sandbox's
 * Identity Center users, their password is {@code airlock.demo.password}. Never against real AWS,
 * where a known password would be a way in; never with Keycloak, which owns the users there.
 */
@Component
@Profile("!keycloak")
class DemoUsers extends AbstractProcessEnginePlugin {

  private static final Logger log = LoggerFactory.getLogger(DemoUsers.class);

  record DemoUser(String id, String first, String last, List<String> groups) {}

  private final AirlockProperties properties;
  private final ObjectProvider<SandboxEndpoint> sandbox;

  DemoUsers(AirlockProperties properties, ObjectProvider<SandboxEndpoint> sandbox) {
    this.properties = properties;
    this.sandbox = sandbox;
  }

  List<DemoUser> users() {
    AirlockProperties.Groups g = properties.groups();
    return List.of(
        new DemoUser("alice", "Alice", "Requester", List.of(g.requesters())),
        new DemoUser("erin", "Erin", "Requester", List.of(g.requesters())),
        new DemoUser("bob", "Bob", "Approver", List.of(g.approvers(), g.requesters())),
        new DemoUser("dave", "Dave", "Operator", List.of(g.operators(), g.approvers(), g.requesters(), g.security())),
        new DemoUser("grace", "Grace", "Approver", List.of(g.approvers())),
        new DemoUser("carol", "Carol", "Auditor", List.of(g.auditors())),
        new DemoUser("pat", "Pat", "Policy author", List.of(g.policyAuthors())),
        new DemoUser("quinn", "Quinn", "Policy approver", List.of(g.policyApprovers())),
        new DemoUser("admin", "Airlock", "Admin", List.of(g.admins(), g.security())));
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    if (sandbox.getIfAvailable() == null) {
      return; // real AWS: no demo users
    }
    IdentityService identity = engine.getIdentityService();
    AirlockProperties.Groups g = properties.groups();
    ensureGroup(identity, g.requesters(), "Airlock requesters");
    ensureGroup(identity, g.approvers(), "Airlock approvers");
    ensureGroup(identity, g.operators(), "Airlock operators");
    ensureGroup(identity, g.auditors(), "Airlock auditors");
    ensureGroup(identity, g.admins(), "Camunda administrators");
    ensureGroup(identity, g.policyAuthors(), "Airlock policy authors");
    ensureGroup(identity, g.policyApprovers(), "Airlock policy approvers");
    ensureGroup(identity, g.security(), "Airlock security");
    for (DemoUser d : users()) {
      if (identity.createUserQuery().userId(d.id()).count() == 0) {
        User u = identity.newUser(d.id());
        u.setFirstName(d.first());
        u.setLastName(d.last());
        u.setEmail(d.id() + "@example.com");
        u.setPassword(properties.demo().password());
        identity.saveUser(u);
      }
      for (String group : d.groups()) {
        if (identity.createUserQuery().userId(d.id()).memberOfGroup(group).count() == 0) {
          identity.createMembership(d.id(), group);
        }
      }
    }
    log.info("Demo users ready: {} (password from airlock.demo.password)",
        users().stream().map(DemoUser::id).toList());
  }

  private static void ensureGroup(IdentityService identity, String id, String name) {
    if (identity.createGroupQuery().groupId(id).count() == 0) {
      Group group = identity.newGroup(id);
      group.setName(name);
      group.setType("WORKFLOW");
      identity.saveGroup(group);
    }
  }
}
