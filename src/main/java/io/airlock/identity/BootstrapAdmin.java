package io.airlock.identity;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The first administrator, once: with {@code airlock.bootstrap.admin.id} and a password set, and
 * while nobody is a member of the admins group ({@code airlock.groups.admins}), Airlock creates
 * that user in the admins group at start, as itself (no signed-in user, so
 * {@link GroupMembershipGuard} lets it pass), and audits it ({@value #ACTION}) in the same
 * transaction. Once anybody is an administrator the setting does nothing but say so (WARN): it
 * never resets a password and never makes a user that exists already an administrator. Unlike
 * Camunda's {@code camunda.bpm.admin-user}, which recreates its user at any start that finds it
 * missing, whoever else administers. Remove the setting after the first sign-in: an admins group
 * emptied later would take it again. With Keycloak the identity is Keycloak's: off.
 * Runs after every singleton is built (the engine and Airlock's audit tables are there), before
 * the web server takes requests.
 */
@Component
@Profile("!keycloak")
public class BootstrapAdmin implements SmartInitializingSingleton {

  static final String ACTION = "identity.bootstrap-admin";

  private static final Logger log = LoggerFactory.getLogger(BootstrapAdmin.class);

  /** What one run did. */
  public enum Outcome { OFF, CREATED, ADMIN_EXISTS, USER_EXISTS, NO_PASSWORD }

  private final BootstrapAdminProperties settings;
  private final String admins;
  private final IdentityService identity;
  private final AuditLog audit;
  private final TransactionTemplate tx;

  public BootstrapAdmin(BootstrapAdminProperties settings, AirlockProperties properties, IdentityService identity,
      AuditLog audit, PlatformTransactionManager transactions) {
    this.settings = settings;
    this.admins = properties.groups().admins();
    this.identity = identity;
    this.audit = audit;
    this.tx = new TransactionTemplate(transactions);
  }

  @Override
  public void afterSingletonsInstantiated() {
    run();
  }

  /** What a start does with the setting; safe to run again. */
  public Outcome run() {
    if (!settings.enabled()) {
      return Outcome.OFF;
    }
    String id = settings.id();
    if (identity.createUserQuery().memberOfGroup(admins).count() > 0) {
      log.warn("airlock.bootstrap.admin.id={} ignored: {} has members already, so no bootstrap administrator is "
          + "created (nor a password reset). Remove airlock.bootstrap.admin.* and its password.", id, admins);
      return Outcome.ADMIN_EXISTS;
    }
    if (identity.createUserQuery().userId(id).count() > 0) {
      log.warn("airlock.bootstrap.admin.id={} ignored: that user exists already; Airlock does not make an existing "
          + "user an administrator. Choose a new user id.", id);
      return Outcome.USER_EXISTS;
    }
    String password = password();
    if (password == null || password.isBlank()) {
      log.warn("airlock.bootstrap.admin.id={} ignored: no password (airlock.bootstrap.admin.password-file or "
          + "airlock.bootstrap.admin.password).", id);
      return Outcome.NO_PASSWORD;
    }
    tx.executeWithoutResult(s -> {
      User u = identity.newUser(id);
      u.setFirstName(settings.firstName());
      u.setLastName(settings.lastName());
      u.setPassword(password);
      identity.saveUser(u);
      identity.createMembership(id, admins);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("user", id);
      details.put("group", admins);
      audit.record("airlock", ACTION, null, details);
    });
    log.warn("Bootstrap administrator {} created in {}. Sign in, then remove airlock.bootstrap.admin.* and its "
        + "password; it is ignored from now on.", id, admins);
    return Outcome.CREATED;
  }

  private String password() {
    if (settings.passwordFile() != null) {
      try {
        return Files.readString(settings.passwordFile(), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        log.warn("airlock.bootstrap.admin.password-file {} unreadable: {}", settings.passwordFile(), e.toString());
        return null;
      }
    }
    return settings.password();
  }
}
