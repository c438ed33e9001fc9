package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged embedded store, with real processes: the role refuses to start in one line naming
 * {@code crossgate db recover}, and after that command the role starts on a rebuilt store while the
 * damaged file stays beside it.
 */
class DbRecoverIT {
  private static final String TOKEN = "cga_db-recover-it-admin-token-0123456789";
  private static final String READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin";

  @Test
  void aDamagedStoreIsNamedInOneLineAndRecoverRebuildsIt(@TempDir Path parent) throws Exception {
    var dataDir = parent.resolve("data");
    try (var first = start(dataDir)) {
      first.awaitLine(READY, Duration.ofSeconds(60));
      first.stop();
    }
    var file = dataDir.resolve("crossgate.mv.db");
    var bytes = Files.readAllBytes(file);
    for (int i = bytes.length / 3; i < 2 * bytes.length / 3; i++) {
      bytes[i] = 0x5a;
    }
    Files.write(file, bytes);

    try (var damaged = start(dataDir)) {
      assertThat(damaged.waitFor(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(damaged.output())
          .contains("crossgate db recover --data-dir " + dataDir)
          .doesNotContain("Exception", "\tat ");
    }

    try (var recover = CrossgateProcess.start("db", "recover", "--data-dir", dataDir.toString())) {
      assertThat(recover.waitFor(Duration.ofSeconds(60))).as(recover.output()).isZero();
      assertThat(recover.output())
          .contains("crossgate.mv.db: broken file kept as crossgate.mv.db.broken-")
          .contains("crossgate.mv.db: rebuilt from the script");
    }
    try (var files = Files.list(dataDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("crossgate.mv.db.broken-"))
          .noneMatch(n -> n.endsWith(".h2.sql"));
    }
    try (var again = start(dataDir)) {
      again.awaitLine(READY, Duration.ofSeconds(60));
      again.stop();
    }
  }

  private static CrossgateProcess start(Path dataDir) throws java.io.IOException {
    return CrossgateProcess.standalone(dataDir, "--admin-token", TOKEN);
  }
}
