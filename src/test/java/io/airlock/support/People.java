package io.airlock.support;

import io.airlock.sandbox.AwsSandbox;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;

/** People and requests the integration tests and benchmarks make by the hundred. */
public final class People {

  /** The password of every person made here. */
  public static final String PASSWORD = "airlock";

  private People() {
  }

  /**
   * A requester: a user of the emulator's Identity Center (so a grant can name them) and of
   * Camunda's store with {@link #PASSWORD}, member of {@code requestersGroup}.
   */
  public static void addRequester(AwsSandbox sandbox, IdentityService identity, String requestersGroup,
      String name, String firstName, String lastName) {
    sandbox.state().addUser(name, firstName, lastName, name + "@airlock.example");
    User user = identity.newUser(name);
    user.setFirstName(firstName);
    user.setLastName(lastName);
    user.setPassword(PASSWORD);
    identity.saveUser(user);
    identity.createMembership(name, requestersGroup);
  }

  /** The body of {@code POST /api/requests} for an existing permission set in AWS. */
  public static Map<String, Object> request(String account, String principal, String permission, String duration,
      String justification) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("system", "AWS");
    body.put("target", account);
    body.put("principal", principal);
    body.put("permission", permission);
    body.put("duration", duration);
    body.put("justification", justification);
    return body;
  }
}
