package dev.crossgate.configfile;

import dev.crossgate.problem.FieldError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Secret values of a configuration file given by reference, so that the file can live in git:
 * {@code ${env:NAME}} (an environment variable) or {@code ${file:/path}} (a file's content,
 * trimmed). The whole value must be one reference. References are accepted only in {@link #FIELDS},
 * and resolved only where the file is read by its owner (the {@code crossgate config} commands, a
 * node started with {@code --config}); the Admin API refuses them, so that an API caller cannot
 * read the control plane's environment or files into a route.
 */
public final class SecretReferences {
  /** The entry fields (relative to a route) that may hold a reference. */
  public static final Set<String> FIELDS = Set.of("tls.clientKeyPem", "tls.clientCertPem");

  static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");

  private final UnaryOperator<String> environment;
  private final Path baseDir;

  private SecretReferences(UnaryOperator<String> environment, Path baseDir) {
    this.environment = environment;
    this.baseDir = baseDir;
  }

  /**
   * Resolves against this process's environment and files; relative file paths from {@code baseDir}
   * (the configuration file's directory).
   */
  public static SecretReferences resolving(UnaryOperator<String> environment, Path baseDir) {
    return new SecretReferences(environment, baseDir);
  }

  /** Refuses every reference: for bodies that arrive over the network. */
  public static SecretReferences refused() {
    return new SecretReferences(null, null);
  }

  /** True when {@code value} contains something that looks like a reference. */
  static boolean looksLikeReference(String value) {
    return value.contains("${env:") || value.contains("${file:");
  }

  /**
   * The value {@code raw} stands for, or null with an error added.
   *
   * @param field the value's path in the file, for the error
   */
  String resolve(String raw, String field, List<FieldError> errors) {
    var m = REFERENCE.matcher(raw.strip());
    if (!m.matches()) {
      errors.add(
          new FieldError(
              field, "a secret reference must be the whole value: ${env:NAME} or ${file:/path}"));
      return null;
    }
    if (environment == null) {
      errors.add(
          new FieldError(
              field,
              "secret references are resolved by the client (crossgate config apply); send the value"));
      return null;
    }
    var name = m.group(2).strip();
    if (m.group(1).equals("env")) {
      var value = environment.apply(name);
      if (value == null || value.isBlank()) {
        errors.add(new FieldError(field, "environment variable " + name + " is not set"));
        return null;
      }
      return value;
    }
    var path = baseDir == null ? Path.of(name) : baseDir.resolve(name);
    try {
      var value = Files.readString(path, StandardCharsets.UTF_8).strip();
      if (value.isEmpty()) {
        errors.add(new FieldError(field, "file " + path + " is empty"));
        return null;
      }
      return value;
    } catch (IOException e) {
      errors.add(
          new FieldError(
              field, "file " + path + " cannot be read (" + e.getClass().getSimpleName() + ")"));
      return null;
    }
  }
}
