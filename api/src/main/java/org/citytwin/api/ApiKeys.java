package org.citytwin.api;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.citytwin.api.http.Caller;

/**
 * The API keys of services (a screen, a dispatch system, the data bureau's jobs): long-lived
 * credentials that are not tied to a user's shift, each for one department or the whole district,
 * revocable one by one. A key reads {@code ctk_<id>_<secret>}; only the SHA-256 hash of its secret
 * is kept (a 256-bit random secret needs no slow hash: there is no dictionary to try), so a copy of
 * the key file lets nobody in.
 *
 * <p>Immutable: {@link #issue} and {@link #revoke} return new key sets, which {@link #write} saves
 * as JSON. The server re-reads the file when it changes, so a key issued or revoked with {@code
 * citytwin api-key} counts within seconds, without a restart.
 */
public final class ApiKeys {

  /** What every key starts with: tells a key from a JSON web token in a bearer header. */
  public static final String PREFIX = "ctk_";

  private static final int SECRET_BYTES = 32;
  private static final int ID_BYTES = 6;

  /**
   * One key as kept: never its secret.
   *
   * @param id the key's public part, unique in its file
   * @param service what uses the key; the caller's subject
   * @param department the department whose namespace it reads and writes; empty for the whole
   *     district
   * @param created when it was issued
   * @param expires when it stops working, if ever
   * @param revoked when it was revoked, if it was
   * @param secretHash the SHA-256 of the secret, in hex
   */
  public record ApiKey(
      String id,
      String service,
      Optional<String> department,
      Instant created,
      Optional<Instant> expires,
      Optional<Instant> revoked,
      String secretHash) {

    public ApiKey {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(department, "department");
      Objects.requireNonNull(created, "created");
      Objects.requireNonNull(expires, "expires");
      Objects.requireNonNull(revoked, "revoked");
      Objects.requireNonNull(secretHash, "secretHash");
      if (service == null || service.isBlank()) {
        throw new IllegalArgumentException("an API key names the service that uses it");
      }
      department.ifPresent(ApiKeys::checkDepartment);
    }

    /** Whether the key opens the API at {@code now}. */
    public boolean inForce(Instant now) {
      return revoked.isEmpty() && expires.map(now::isBefore).orElse(true);
    }

    JsonObject toJson() {
      JsonObject json =
          new JsonObject()
              .put("id", id)
              .put("service", service)
              .put("created", created.toString())
              .put("secretHash", secretHash);
      department.ifPresent(name -> json.put("department", name));
      expires.ifPresent(at -> json.put("expires", at.toString()));
      revoked.ifPresent(at -> json.put("revoked", at.toString()));
      return json;
    }

    static ApiKey fromJson(JsonObject json) {
      return new ApiKey(
          json.getString("id"),
          json.getString("service"),
          Optional.ofNullable(json.getString("department")),
          Instant.parse(json.getString("created")),
          Optional.ofNullable(json.getString("expires")).map(Instant::parse),
          Optional.ofNullable(json.getString("revoked")).map(Instant::parse),
          json.getString("secretHash"));
    }
  }

  /** A key just issued: the key set holding it, and the key's text, shown once and kept nowhere. */
  public record Issued(ApiKeys keys, ApiKey key, String text) {}

  private final List<ApiKey> keys;

  private ApiKeys(List<ApiKey> keys) {
    this.keys = List.copyOf(keys);
  }

  /** No keys at all. */
  public static ApiKeys none() {
    return new ApiKeys(List.of());
  }

  /**
   * The keys kept in {@code file}; none when it does not exist.
   *
   * @throws IllegalArgumentException naming the file when it is not a key file
   * @throws java.io.UncheckedIOException when it cannot be read
   */
  public static ApiKeys read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException absent) {
      return none();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read the API key file " + file, e);
    }
    try {
      List<ApiKey> read = new ArrayList<>();
      JsonArray array = new JsonObject(text).getJsonArray("keys", new JsonArray());
      for (int i = 0; i < array.size(); i++) {
        read.add(ApiKey.fromJson(array.getJsonObject(i)));
      }
      return new ApiKeys(read);
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException(file + " is not an API key file: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + " holds a bad API key: " + e.getMessage(), e);
    }
  }

  /** Saves the keys to {@code file}, replacing it at once so that a reader never sees half. */
  public void write(Path file) throws IOException {
    JsonArray array = new JsonArray();
    keys.forEach(key -> array.add(key.toJson()));
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path temporary = Files.createTempFile(absolute.getParent(), ".api-keys", ".tmp");
    Files.writeString(
        temporary, new JsonObject().put("keys", array).encodePrettily(), StandardCharsets.UTF_8);
    Files.move(
        temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Every key kept, in force or not, in the order issued. */
  public List<ApiKey> all() {
    return keys;
  }

  /**
   * A new key for {@code service}.
   *
   * @param department the department it acts for; empty for the whole district
   * @param validFor how long it works; empty for a key that works until revoked
   * @throws IllegalArgumentException for a department that cannot be one, or a validity that is not
   *     positive
   */
  public Issued issue(
      String service,
      Optional<String> department,
      Optional<Duration> validFor,
      Instant now,
      SecureRandom random) {
    validFor
        .filter(duration -> duration.isNegative() || duration.isZero())
        .ifPresent(
            duration -> {
              throw new IllegalArgumentException("an API key must be valid for some time");
            });
    String id;
    do {
      id = HexFormat.of().formatHex(randomBytes(random, ID_BYTES));
    } while (find(id).isPresent());
    String secret =
        Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(random, SECRET_BYTES));
    ApiKey key =
        new ApiKey(
            id,
            service,
            department,
            now,
            validFor.map(now::plus),
            Optional.empty(),
            sha256(secret));
    List<ApiKey> next = new ArrayList<>(keys);
    next.add(key);
    return new Issued(new ApiKeys(next), key, PREFIX + id + "_" + secret);
  }

  /**
   * The keys with {@code id} revoked from {@code now}; revoking a revoked key changes nothing.
   *
   * @throws IllegalArgumentException if no key has that id
   */
  public ApiKeys revoke(String id, Instant now) {
    ApiKey found =
        find(id).orElseThrow(() -> new IllegalArgumentException("there is no API key " + id));
    if (found.revoked().isPresent()) {
      return this;
    }
    List<ApiKey> next = new ArrayList<>(keys.size());
    for (ApiKey key : keys) {
      next.add(
          key.id().equals(id)
              ? new ApiKey(
                  key.id(),
                  key.service(),
                  key.department(),
                  key.created(),
                  key.expires(),
                  Optional.of(now),
                  key.secretHash())
              : key);
    }
    return new ApiKeys(next);
  }

  /**
   * The caller a presented key speaks for.
   *
   * @throws IllegalArgumentException saying why the key does not open the API (the same words for
   *     an unknown id and a wrong secret, so that a guess learns nothing)
   */
  public Caller authenticate(String presented, Instant now) {
    if (!presented.startsWith(PREFIX)) {
      throw new IllegalArgumentException("an API key starts with " + PREFIX);
    }
    int split = presented.indexOf('_', PREFIX.length());
    if (split < 0) {
      throw new IllegalArgumentException("an API key reads " + PREFIX + "<id>_<secret>");
    }
    String id = presented.substring(PREFIX.length(), split);
    String presentedHash = sha256(presented.substring(split + 1));
    ApiKey key =
        find(id)
            .filter(
                candidate ->
                    MessageDigest.isEqual(
                        candidate.secretHash().getBytes(StandardCharsets.US_ASCII),
                        presentedHash.getBytes(StandardCharsets.US_ASCII)))
            .orElseThrow(() -> new IllegalArgumentException("the API key is not known"));
    if (key.revoked().isPresent()) {
      throw new IllegalArgumentException("the API key " + id + " was revoked");
    }
    if (!key.inForce(now)) {
      throw new IllegalArgumentException("the API key " + id + " has expired");
    }
    return key.department()
        .map(department -> new Caller(key.service(), Optional.of(department), false))
        .orElseGet(() -> new Caller(key.service(), Optional.empty(), true));
  }

  private Optional<ApiKey> find(String id) {
    return keys.stream().filter(key -> key.id().equals(id)).findFirst();
  }

  static void checkDepartment(String department) {
    if (!ApiTokens.isDepartment(department)) {
      throw new IllegalArgumentException(
          "a department is a namespace of its own (lower-case letters, digits and dashes;"
              + " not access or incidents), not '"
              + department
              + "'");
    }
  }

  private static byte[] randomBytes(SecureRandom random, int count) {
    byte[] bytes = new byte[count];
    random.nextBytes(bytes);
    return bytes;
  }

  private static String sha256(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
