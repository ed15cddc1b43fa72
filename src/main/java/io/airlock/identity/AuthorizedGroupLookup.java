package io.airlock.identity;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.ibatis.builder.xml.XMLMapperBuilder;
import org.apache.ibatis.session.Configuration;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.Session;
import org.camunda.bpm.engine.impl.interceptor.SessionFactory;
import org.camunda.bpm.engine.impl.persistence.entity.AuthorizationManager;
import org.springframework.stereotype.Component;

/**
 * Makes the engine's authorization checks look up only the caller's own groups, instead of
 * reading the whole authorization table once per command.
 *
 * <p>Before every command's first authorization check, Camunda narrows the signed-in user's
 * groups to those that have any authorization at all ({@code AuthorizationManager
 * .filterAuthenticatedGroupIds}), so that its checks carry short group lists. It finds those
 * groups with {@code SELECT DISTINCT GROUP_ID_ FROM ACT_RU_AUTHORIZATION}: a sequential scan of
 * every row, the user-owned ones included (one per user in Camunda's own user store, one per
 * open task of a candidate group), on every command of a signed-in user: each submit, each
 * Tasklist and Cockpit request. This plugin answers the same question (which of <em>these</em>
 * groups have an authorization) with one index probe per group of the caller
 * ({@code ACT_IDX_AUTH_GROUP_ID}, which Camunda's schema already has on H2 and PostgreSQL).
 *
 * <p>The result is the same set, from the same connection in the same command, so no check
 * changes: grants and revokes of a group count exactly when they did before. Nothing is cached
 * beyond the command, as in Camunda.
 */
@Component
class AuthorizedGroupLookup extends AbstractProcessEnginePlugin {

  static final String STATEMENT = "io.airlock.identity.AuthorizedGroups.selectGroupsWithAuthorizations";
  private static final String MAPPER = "io/airlock/identity/AuthorizedGroups.xml";

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<SessionFactory> factories = new ArrayList<>();
    if (configuration.getCustomSessionFactories() != null) {
      factories.addAll(configuration.getCustomSessionFactories());
    }
    factories.add(new SessionFactory() {
      @Override
      public Class<?> getSessionType() {
        return AuthorizationManager.class;
      }

      @Override
      public Session openSession() {
        return new GroupProbingAuthorizationManager();
      }
    });
    configuration.setCustomSessionFactories(factories);
  }

  @Override
  public void postInit(ProcessEngineConfigurationImpl configuration) {
    Configuration mybatis = configuration.getSqlSessionFactory().getConfiguration();
    synchronized (mybatis) {
      if (mybatis.hasStatement(STATEMENT, false)) {
        return; // a shared SQL session factory, already given it by another engine
      }
      try (InputStream in = AuthorizedGroupLookup.class.getClassLoader().getResourceAsStream(MAPPER)) {
        if (in == null) {
          throw new IllegalStateException(MAPPER + " is not on the class path");
        }
        new XMLMapperBuilder(in, mybatis, MAPPER, mybatis.getSqlFragments()).parse();
      } catch (IOException e) {
        throw new IllegalStateException("Cannot read " + MAPPER, e);
      }
    }
  }

  /** Camunda's manager (one per command), with the group filter answered by index probes. */
  static class GroupProbingAuthorizationManager extends AuthorizationManager {

    /** Per command, as Camunda's own cache of the authorized groups. */
    private final Map<List<String>, List<String>> filtered = new HashMap<>();

    @Override
    public List<String> filterAuthenticatedGroupIds(List<String> authenticatedGroupIds) {
      if (authenticatedGroupIds == null || authenticatedGroupIds.isEmpty()) {
        return EMPTY_LIST;
      }
      List<String> groups = List.copyOf(new LinkedHashSet<>(authenticatedGroupIds.stream()
          .filter(Objects::nonNull).toList()));
      if (groups.isEmpty()) {
        return EMPTY_LIST;
      }
      // A new list each time: callers (MyBatis parameters) may hold on to it.
      return new ArrayList<>(filtered.computeIfAbsent(groups, this::withAuthorizations));
    }

    @SuppressWarnings("unchecked")
    private List<String> withAuthorizations(List<String> groups) {
      Map<String, Object> parameters = new HashMap<>();
      parameters.put("groupIds", groups);
      List<String> found = getDbEntityManager().selectListWithRawParameter(STATEMENT, parameters, 0, Integer.MAX_VALUE);
      return found.stream().filter(Objects::nonNull).distinct().toList();
    }
  }
}
