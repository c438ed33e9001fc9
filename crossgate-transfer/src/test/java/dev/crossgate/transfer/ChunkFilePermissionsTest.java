package dev.crossgate.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.store.transfer.ChunkStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunk files hold callers' data: owner-only on disk whatever the umask, on both write paths
 * (O_DIRECT for the aligned part, buffered for the tail). Beside {@link DiskChunkStore}, which is
 * package-private; the data-dir-wide rule is tested in the app's security tests.
 */
class ChunkFilePermissionsTest {
  @TempDir Path dir;

  @Test
  void aStoredChunkAndTheDirectoriesAboveItAreOwnerOnly() throws Exception {
    var store = ChunkStore.onDisk(dir.resolve("transfers"));
    var bytes = new byte[3 * 4096 + 17];

    store.write("tenant-a", "tr_1", 1, ByteBuffer.wrap(bytes));

    try (Stream<Path> all = Files.walk(dir.resolve("transfers"))) {
      assertThat(all)
          .isNotEmpty()
          .allSatisfy(
              p ->
                  assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                      .as(p.toString())
                      .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------"));
    }
  }
}
