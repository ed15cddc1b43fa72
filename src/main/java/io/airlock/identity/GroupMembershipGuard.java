package io.airlock.identity;

import io.airlock.config.MetricsProperties;
import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.logging.LogSafe;
import io.airlock.request.ForbiddenActionException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.identity.IdentityOperationResult;
import org.camunda.bpm.engine.impl.identity.db.DbIdentityServiceProvider;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.Session;
import org.camunda.bpm.engine.impl.interceptor.SessionFactory;
import org.camunda.bpm.engine.impl.persistence.entity.UserEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Nobody grants themselves Airlock's powers (embedded user store; with Keycloak the engine's
 * identity is read-only and Keycloak's own process rules). Whatever the surface (Camunda Admin,
 * {@code /engine-rest/group/.../members/...}, {@code /engine-rest/user/create}, the webapps' API),
 * a change made by a signed-in person that would change who holds one of Airlock's groups
 * ({@code airlock.groups.*} and the monitoring group) is refused with 403 in Airlock's words,
 * naming the way to ask ({@code POST /api/memberships}, reviewed by a second person), and audited
 * ({@value #REFUSED}):
 * <ul>
 *   <li>adding a user to, or removing one from, one of Airlock's groups;
 *   <li>creating, renaming or deleting one of Airlock's groups;
 *   <li>deleting a user who is in one of them (it removes their memberships);
 *   <li>changing another user who is in one of them (a password reset lets whoever sets it act
 *       as that person; a person changes their own password).
 * </ul>
 * Creating a user in no group, and every other identity change, stays the administrators'. Airlock
 * itself (no signed-in user: the demo users at start, an approved {@code membership change}
 * applied as the system) is not refused. The check sits in the engine's identity provider (its
 * extension point for user stores), so no engine command or surface goes around it.
 */
@Component
@Profile("!keycloak")
class GroupMembershipGuard extends AbstractProcessEnginePlugin {

  static final String REFUSED = "refused.membership";

  private static final Logger log = LoggerFactory.getLogger(GroupMembershipGuard.class);
  private static final Logger REFUSALS = LoggerFactory.getLogger("io.airlock.refused");

  private final Set<String> airlockGroups;
  private final AirlockProperties.Groups groups;
  private final AuditLog audit;

  GroupMembershipGuard(AirlockProperties properties, MetricsProperties metrics, @Lazy AuditLog audit) {
    this.groups = properties.groups();
    this.airlockGroups = airlockGroups(properties.groups(), metrics);
    this.audit = audit;
  }

  /** Airlock's groups: every {@code airlock.groups.*} and the monitoring group. */
  static Set<String> airlockGroups(AirlockProperties.Groups groups, MetricsProperties metrics) {
    Set<String> all = new LinkedHashSet<>(groups.byRole().values());
    all.add(metrics.group());
    return Set.copyOf(all);
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    if (configuration.getIdentityProviderSessionFactory() != null) {
      log.warn("Another identity provider is configured ({}): changes to Airlock's groups are that provider's to "
          + "guard", configuration.getIdentityProviderSessionFactory().getSessionType().getName());
      return;
    }
    configuration.setIdentityProviderSessionFactory(new SessionFactory() {
      @Override
      public Class<?> getSessionType() {
        return GuardedProvider.class;
      }

      @Override
      public Session openSession() {
        return new GuardedProvider();
      }
    });
  }

  /** How to ask, in the words of every refusal. */
  String wayToAsk(String user, String group, String change) {
    return "ask for it with POST /api/memberships {\"user\": \"" + user + "\", \"group\": \"" + group
        + "\", \"change\": \"" + change + "\", \"reason\": \"...\"}; a member of " + groups.security()
        + " or another administrator (" + groups.admins() + "), neither you nor " + user + ", reviews it in Tasklist";
  }

  private void refuse(String actor, String change, String user, String group, String sentence) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("change", change);
    if (user != null) {
      details.put("user", user);
    }
    if (group != null) {
      details.put("group", group);
    }
    details.put("reason", sentence);
    audit.refused(actor, REFUSED, null, details);
    REFUSALS.warn("Refused: {} by {}: {}", change, LogSafe.of(actor), LogSafe.of(sentence));
    AuthorizationException refused = new AuthorizationException(sentence);
    refused.initCause(new ForbiddenActionException(sentence));
    throw refused;
  }

  /** The engine's own user store, with the checks above before each write. */
  final class GuardedProvider extends DbIdentityServiceProvider {

    /** The signed-in person, or null when Airlock itself changes the store. */
    private String actor() {
      CommandContext context = Context.getCommandContext();
      return context == null ? null : context.getAuthenticatedUserId();
    }

    private List<String> airlockGroupsOf(String userId) {
      CommandContext context = Context.getCommandContext();
      List<Group> of = context.runWithoutAuthorization(() -> createGroupQuery(context).groupMember(userId).list());
      return of.stream().map(Group::getId).filter(airlockGroups::contains).toList();
    }

    @Override
    public IdentityOperationResult createMembership(String userId, String groupId) {
      String actor = actor();
      if (actor != null && airlockGroups.contains(groupId)) {
        refuse(actor, "add", userId, groupId, "Membership of Airlock's group '" + groupId + "' changes only with "
            + "a second person: " + actor + " may not add " + userId + " to it here; " + wayToAsk(userId, groupId, "ADD"));
      }
      return super.createMembership(userId, groupId);
    }

    @Override
    public IdentityOperationResult deleteMembership(String userId, String groupId) {
      String actor = actor();
      if (actor != null && airlockGroups.contains(groupId)) {
        refuse(actor, "remove", userId, groupId, "Membership of Airlock's group '" + groupId + "' changes only "
            + "with a second person: " + actor + " may not remove " + userId + " from it here; "
            + wayToAsk(userId, groupId, "REMOVE"));
      }
      return super.deleteMembership(userId, groupId);
    }

    @Override
    public IdentityOperationResult saveGroup(Group group) {
      String actor = actor();
      if (actor != null && airlockGroups.contains(group.getId())) {
        refuse(actor, "save-group", null, group.getId(), "The group '" + group.getId() + "' is one of Airlock's "
            + "groups (airlock.groups.* in its configuration): it is not created or changed here");
      }
      return super.saveGroup(group);
    }

    @Override
    public IdentityOperationResult deleteGroup(String groupId) {
      String actor = actor();
      if (actor != null && airlockGroups.contains(groupId)) {
        refuse(actor, "delete-group", null, groupId, "The group '" + groupId + "' is one of Airlock's groups "
            + "(airlock.groups.* in its configuration): it is not deleted here");
      }
      return super.deleteGroup(groupId);
    }

    @Override
    public IdentityOperationResult deleteUser(String userId) {
      String actor = actor();
      if (actor != null) {
        List<String> held = airlockGroupsOf(userId);
        if (!held.isEmpty()) {
          refuse(actor, "delete-user", userId, held.get(0), "The user " + userId + " is in Airlock's groups " + held
              + ": deleting them would change who holds those groups, which needs a second person; first "
              + wayToAsk(userId, held.get(0), "REMOVE"));
        }
      }
      return super.deleteUser(userId);
    }

    @Override
    public IdentityOperationResult saveUser(User user) {
      String actor = actor();
      boolean existing = user instanceof UserEntity entity && entity.getRevision() > 0;
      if (actor != null && existing && !actor.equals(user.getId())) {
        List<String> held = airlockGroupsOf(user.getId());
        if (!held.isEmpty()) {
          refuse(actor, "change-user", user.getId(), held.get(0), "The user " + user.getId() + " is in Airlock's "
              + "groups " + held + ": only they change their own profile and password (whoever sets it could act "
              + "as them)");
        }
      }
      return super.saveUser(user);
    }
  }
}
