package org.citytwin.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.citytwin.api.ApiKeys;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code citytwin api-key}: issues, lists and revokes services' API keys in the key file ({@code
 * api.auth.keys-file}, by default {@code api-keys.json} in the data directory). A running server
 * re-reads the file within seconds, so neither issuing nor revoking needs a restart.
 */
@Command(
    name = "api-key",
    mixinStandardHelpOptions = true,
    description = "Services' API keys: create one, list them, revoke one.",
    subcommands = {
      ApiKeyCommand.Create.class,
      ApiKeyCommand.ListKeys.class,
      ApiKeyCommand.Revoke.class
    })
final class ApiKeyCommand implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Changes the key file under a lock, so that two commands at once cannot lose a key. */
  static ApiKeys change(Path file, UnaryOperator<ApiKeys> change) throws IOException {
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path lockFile = absolute.resolveSibling(absolute.getFileName() + ".lock");
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      ApiKeys changed = change.apply(ApiKeys.read(absolute));
      changed.write(absolute);
      return changed;
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Issue a key for a service and print it; only its hash is kept, so it is shown once.",
        "Send it as 'X-Api-Key: <key>' or 'Authorization: Bearer <key>'."
      })
  static final class Create implements Callable<Integer> {

    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;

    @Option(
        names = "--service",
        required = true,
        paramLabel = "NAME",
        description = "What uses the key, such as flood-screen; the caller's name in the API.")
    String service;

    @Mixin ActsForOptions actsFor;

    @Option(
        names = "--valid-for",
        paramLabel = "DURATION",
        description = "How long it works, ISO-8601 such as P90D (default: until revoked).")
    Duration validFor;

    @Override
    public Integer call() throws IOException {
      Optional<String> department = actsFor.department();
      Path file = options.resolve().apiKeysFile();
      ApiKeys.Issued[] issued = new ApiKeys.Issued[1];
      change(
          file,
          keys -> {
            issued[0] =
                keys.issue(
                    service,
                    department,
                    Optional.ofNullable(validFor),
                    Clock.systemUTC().instant(),
                    new SecureRandom());
            return issued[0].keys();
          });
      spec.commandLine().getOut().println(issued[0].text());
      spec.commandLine()
          .getErr()
          .println("key " + issued[0].key().id() + " for " + service + " kept (hashed) in " + file);
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the keys kept: id, service, department, issued, expiry, revoked.")
  static final class ListKeys implements Callable<Integer> {

    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      print(ApiKeys.read(options.resolve().apiKeysFile()), spec.commandLine().getOut());
      return 0;
    }

    static void print(ApiKeys keys, PrintWriter out) {
      out.printf(
          "%-12s  %-24s  %-14s  %-20s  %-20s  %s%n",
          "ID", "SERVICE", "DEPARTMENT", "CREATED", "EXPIRES", "REVOKED");
      for (ApiKeys.ApiKey key : keys.all()) {
        out.printf(
            "%-12s  %-24s  %-14s  %-20s  %-20s  %s%n",
            key.id(),
            key.service(),
            key.department().orElse("(district)"),
            key.created().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
            key.expires().map(Object::toString).orElse("-"),
            key.revoked().map(Object::toString).orElse("-"));
      }
      out.flush();
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a key: a running server refuses it within seconds.")
  static final class Revoke implements Callable<Integer> {

    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The key's id, as 'list' shows it.")
    String id;

    @Override
    public Integer call() throws IOException {
      Path file = options.resolve().apiKeysFile();
      change(file, keys -> keys.revoke(id, Clock.systemUTC().instant()));
      spec.commandLine().getErr().println("key " + id + " revoked in " + file);
      return 0;
    }
  }
}
