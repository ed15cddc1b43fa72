package io.airlock.identity;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The first administrator of a deployment with the embedded user store
 * ({@code airlock.bootstrap.admin.*}, README "First sign-in without Keycloak"). Off while
 * {@code id} is blank. Takes effect only while the admins group has no member.
 *
 * @param id the administrator's user id
 * @param password the password; {@code passwordFile} wins when both are set
 * @param passwordFile a file holding the password (a container secret), trailing newline ignored
 * @param firstName shown in the webapps
 * @param lastName shown in the webapps
 */
@ConfigurationProperties(prefix = "airlock.bootstrap.admin")
public record BootstrapAdminProperties(
    String id, String password, Path passwordFile, String firstName, String lastName) {

  public BootstrapAdminProperties {
    firstName = firstName == null || firstName.isBlank() ? "Airlock" : firstName;
    lastName = lastName == null || lastName.isBlank() ? "Administrator" : lastName;
  }

  boolean enabled() {
    return id != null && !id.isBlank();
  }
}
