package io.airlock.identity;

import io.airlock.config.AirlockProperties;
import io.airlock.sandbox.SandboxEndpoint;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
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
 * Airlock's groups themselves exist in every mode ({@link AirlockGroups}).
 */
@Component
@Profile("!keycloak")
class DemoUsers extends AbstractProcessEnginePlugin {

  private static final Logger log = LoggerFactory.getLogger(DemoUsers.class);

  record DemoUser(String id, String first, String last, List<String> groups) {}

  private final AirlockProperties properties;
  private final ObjectProvider<SandboxEndpoint> sandbox;
  private final AirlockGroups groups;

  DemoUsers(AirlockProperties properties, ObjectProvider<SandboxEndpoint> sandbox, AirlockGroups groups) {
    this.properties = properties;
    this.sandbox = sandbox;
    this.groups = groups;
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
    groups.ensure(identity); // the memberships below need them, whichever plugin runs first
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
}
