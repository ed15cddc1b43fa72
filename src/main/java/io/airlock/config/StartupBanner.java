package io.airlock.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Tells the person who just started Airlock where to go and how to sign in. */
@Component
class StartupBanner {

  private static final Logger log = LoggerFactory.getLogger(StartupBanner.class);

  private final Environment env;

  StartupBanner(Environment env) {
    this.env = env;
  }

  @EventListener(ApplicationReadyEvent.class)
  void ready() {
    String host = env.getProperty("server.address", "localhost");
    String port = env.getProperty("local.server.port", env.getProperty("server.port", "8080"));
    String base = "http://" + host + ":" + port;
    boolean sandbox = env.getProperty("airlock.aws.sandbox.enabled", Boolean.class, false);
    boolean demo = sandbox && !env.matchesProfiles("keycloak");
    log.info("""

        ==========================================================================
         Airlock is running.
           Tasklist  {}/camunda/app/tasklist/   (request and approve access)
           Cockpit   {}/camunda/app/cockpit/    (operate: incidents, history)
           REST API  {}/api/requests            (HTTP basic; docs at /swagger-ui.html)
         {}
         {}
        ==========================================================================""",
        base, base, base,
        sandbox ? (env.getProperty("airlock.aws.sandbox.endpoint", "").isBlank()
            ? "AWS SANDBOX: AWS is emulated in-process; no access is granted in real AWS."
            : "AWS SANDBOX: AWS is emulated by the standalone emulator at "
                + env.getProperty("airlock.aws.sandbox.endpoint") + "; no access is granted in real AWS.")
            : "AWS: " + env.getProperty("airlock.aws.region", "") + (env.getProperty("airlock.aws.role-arn", "").isBlank()
                ? " (default credentials)" : ", integration role " + env.getProperty("airlock.aws.role-arn")),
        demo ? "Demo users: alice (requester), bob (approver), dave (operator), carol (auditor), admin;\n"
            + "         password: the value of airlock.demo.password (AIRLOCK_DEMO_PASSWORD), 'airlock' unless set."
            : "Sign in with your organization's account.");
  }
}
