package dev.crossgate.app;

import dev.crossgate.store.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Secrets given on the command line, in the environment or in a file. A value on the command line
 * is visible to every local user in {@code ps} and {@code /proc/PID/cmdline}; the {@code *-file}
 * form keeps it in a file the operator protects. Mistakes are usage errors (exit code 2, one line
 * naming the option), never a stack trace.
 */
final class SecretFlags {
  /** 24 characters of a random token are over 128 bits; shorter admin tokens are guessable. */
  static final int MIN_ADMIN_TOKEN_LENGTH = 24;

  private static final Logger LOG = LoggerFactory.getLogger(SecretFlags.class);

  private SecretFlags() {}

  /**
   * The secret from {@code inline} (option or environment) or from {@code file}, trimmed; null when
   * neither is given. Both at once is refused: which one wins would be a guess.
   */
  static String resolve(CommandLine commandLine, String option, String inline, Path file) {
    var given = inline == null || inline.isBlank() ? null : inline.strip();
    if (file == null) {
      return given;
    }
    if (given != null) {
      throw new ParameterException(
          commandLine,
          option
              + " and "
              + option
              + "-file are alternatives; give one "
              + "(the environment variable counts as "
              + option
              + ")");
    }
    String secret;
    try {
      secret = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (OwnerOnlyFiles.readableByOthers(file)) {
        LOG.warn(
            "event=secret-file-readable-by-others option={}-file file={} hint=\"chmod 600 it\"",
            option,
            file.toAbsolutePath().normalize());
      }
    } catch (IOException e) {
      throw new ParameterException(
          commandLine, "cannot read " + option + "-file " + file + ": " + e);
    }
    if (secret.isEmpty()) {
      throw new ParameterException(commandLine, option + "-file " + file + " is empty");
    }
    return secret;
  }

  /** The admin token, refused when shorter than {@link #MIN_ADMIN_TOKEN_LENGTH}. */
  static String adminToken(CommandLine commandLine, String inline, Path file) {
    var token = resolve(commandLine, "--admin-token", inline, file);
    if (token != null && token.length() < MIN_ADMIN_TOKEN_LENGTH) {
      throw new ParameterException(
          commandLine,
          "--admin-token is too short ("
              + token.length()
              + " characters); use "
              + "at least "
              + MIN_ADMIN_TOKEN_LENGTH
              + ", e.g. $(openssl rand -base64 32), or omit it to have one generated");
    }
    return token;
  }
}
