package dev.crossgate.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.app.CrossgateProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data dir holds the configuration database, the generated admin token, node snapshots and
 * callers' transfer chunks: other local users must not read any of it. A real process, started on a
 * data dir an older version left world-readable, leaves it owner-only once it runs, including the
 * files H2 created itself.
 */
class DataDirPermissionsIT {
  private static final String READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin";

  @Test
  void aDataDirLeftWorldReadableIsOwnerOnlyOnceTheProcessRuns(@TempDir Path parent)
      throws Exception {
    var dataDir = parent.resolve("data");
    Files.createDirectories(
        dataDir.resolve("transfers/old"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    var leftover = Files.writeString(dataDir.resolve("transfers/old/1.chunk"), "a caller's bytes");
    Files.setPosixFilePermissions(leftover, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));

    try (var node = CrossgateProcess.standalone(dataDir)) {
      node.awaitLine(READY, Duration.ofSeconds(60));

      assertThat(Files.exists(dataDir.resolve("admin-token"))).isTrue();
      assertThat(Files.list(dataDir).map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.endsWith(".mv.db"));
      try (Stream<Path> all = Files.walk(dataDir)) {
        all.forEach(
            p -> {
              var mode = mode(p);
              assertThat(mode)
                  .as(p.toString())
                  .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
            });
      }
      node.stop();
    }
  }

  private static String mode(Path p) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
