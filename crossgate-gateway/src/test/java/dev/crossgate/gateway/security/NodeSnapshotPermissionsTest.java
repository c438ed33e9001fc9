package dev.crossgate.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.cluster.SnapshotFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's snapshot lists every route, upstream and tenant key hash: another local user must not
 * read it, whatever the process umask (it was written 644 into a 755 directory).
 */
class NodeSnapshotPermissionsTest {
  @TempDir Path dir;

  @Test
  void theNodeSnapshotIsWrittenOwnerOnlyIntoAnOwnerOnlyDirectory() throws Exception {
    var dataDir = dir.resolve("node");

    new SnapshotFile(dataDir).write(GatewayConfig.EMPTY);

    assertThat(mode(dataDir)).isEqualTo("rwx------");
    assertThat(mode(dataDir.resolve("node-snapshot.json"))).isEqualTo("rw-------");
    assertThat(new SnapshotFile(dataDir).read()).isPresent();
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
