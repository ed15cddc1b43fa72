package io.airlock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Airlock: just-in-time privileged access for AWS, as a BPMN application on Camunda 7.
 * The access lifecycle is bpmn/access-request.bpmn, the policy is dmn/*.dmn.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AirlockApplication {

  public static void main(String[] args) {
    SpringApplication.run(AirlockApplication.class, args);
  }
}
