package org.citytwin.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * A device password as Hono's {@code hashed-password} credential with hash function {@code sha-256}
 * stores it: SHA-256 over salt then password, both kept Base64-encoded. The plain password is never
 * stored.
 *
 * <p>SHA-256 rather than bcrypt because devices authenticate on every HTTP request and a
 * verification must take microseconds on the event loop; a per-device random salt keeps equal
 * passwords from producing equal hashes.
 */
public record PasswordHash(String saltBase64, String hashBase64) {

  public static final String HASH_FUNCTION = "sha-256";

  public PasswordHash {
    Objects.requireNonNull(saltBase64, "salt");
    Objects.requireNonNull(hashBase64, "hash");
  }

  public static PasswordHash of(String password, SecureRandom random) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    return new PasswordHash(
        Base64.getEncoder().encodeToString(salt),
        Base64.getEncoder().encodeToString(digest(salt, password)));
  }

  /** Compares in constant time, so response timing tells nothing about the stored hash. */
  public boolean matches(String password) {
    byte[] expected = Base64.getDecoder().decode(hashBase64);
    byte[] actual = digest(Base64.getDecoder().decode(saltBase64), password);
    return MessageDigest.isEqual(expected, actual);
  }

  private static byte[] digest(byte[] salt, String password) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(salt);
      return sha256.digest(password.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
