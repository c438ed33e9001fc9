package dev.crossgate.app;

import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one-time notice of a generated admin token. */
final class Banner {
  private static final Logger LOG = LoggerFactory.getLogger("crossgate");

  private Banner() {}

  static void printGeneratedToken(String token, Path dataDir) {
    if (token != null) {
      LOG.warn(
          "generated admin token (shown once; also saved in {}): {}",
          dataDir.resolve("admin-token").toAbsolutePath().normalize(),
          token);
    }
  }
}
