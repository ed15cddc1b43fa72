package io.airlock.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * How the CLI signs in to one Airlock, kept in {@code credentials.json} of the config directory,
 * readable and writable by its owner only (mode 600, the directory 700): the server, and either a
 * user name and password (the embedded default's HTTP basic) or the tokens of Keycloak's device
 * sign-in with what refreshes them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Credentials(String server, String kind, String user, String password, String issuer,
    String clientId, String tokenEndpoint, String accessToken, String refreshToken, Long expiresAt) {

  public static final String BASIC = "basic";
  public static final String BEARER = "bearer";
  static final String FILE = "credentials.json";
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  public static Credentials basic(String server, String user, String password) {
    return new Credentials(server, BASIC, user, password, null, null, null, null, null, null);
  }

  public Credentials withTokens(String accessToken, String refreshToken, long expiresAt) {
    return new Credentials(server, kind, user, password, issuer, clientId, tokenEndpoint, accessToken,
        refreshToken == null ? this.refreshToken : refreshToken, expiresAt);
  }

  /** The stored sign-in, or null when there is none. */
  public static Credentials load(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return JSON.readValue(Files.readString(file), Credentials.class);
    } catch (IOException e) {
      throw new CliException(Exit.NOT_SIGNED_IN, "Your stored sign-in (" + file + ") cannot be read: run airlock login");
    }
  }

  /** Writes it with mode 600 from the first byte on (a temporary file moved into place). */
  public void save(Path dir) {
    try {
      Files.createDirectories(dir);
      restrict(dir, PosixFilePermissions.fromString("rwx------"));
      Path tmp = dir.resolve(FILE + ".tmp");
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
        Files.createFile(tmp);
      }
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this), StandardCharsets.UTF_8);
      restrict(tmp, OWNER_ONLY);
      Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Forgets the sign-in; whether there was one. */
  public static boolean delete(Path dir) {
    try {
      return Files.deleteIfExists(dir.resolve(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void restrict(Path p, Set<PosixFilePermission> perms) throws IOException {
    try {
      Files.setPosixFilePermissions(p, perms);
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system (Windows): the user's profile directory is private already
    }
  }
}
