package dev.crossgate.gateway.transfer;

import dev.crossgate.auth.Secrets;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/**
 * Chunk bytes on disk: {@code dataDir/<sha-256 of owner>/<id>/<number>.chunk}. The owner is
 * hashed so no tenant id can shape a path; ids are validated by {@link TransferIds}. A chunk is
 * written to a temporary file and renamed into place, so a reader never sees half a chunk.
 * Every method blocks: worker threads only.
 */
final class ChunkFiles {
  private final Path root;

  ChunkFiles(Path root) {
    this.root = root;
  }

  Path directory(String owner, String id) {
    return root.resolve(Secrets.sha256Hex(owner)).resolve(id);
  }

  Path chunk(String owner, String id, long number) {
    return directory(owner, id).resolve(number + ".chunk");
  }

  /** Writes {@code data} as chunk {@code number}, replacing a leftover of an earlier crash. */
  void write(String owner, String id, long number, Buffer data) {
    var target = chunk(owner, id, number);
    try {
      Files.createDirectories(target.getParent());
      var temp = target.resolveSibling(number + "." + UUID.randomUUID() + ".tmp");
      try (var channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = Buffers.nio(data);
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void deleteChunk(String owner, String id, long number) {
    try {
      Files.deleteIfExists(chunk(owner, id, number));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes every file of a transfer, and the owner's directory when it became empty. */
  void deleteAll(String owner, String id) {
    var dir = directory(owner, id);
    try {
      if (Files.exists(dir)) {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
          @Override public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
      }
      try {
        Files.deleteIfExists(dir.getParent());
      } catch (java.nio.file.DirectoryNotEmptyException | NoSuchFileException ignored) {
        // another transfer of the owner still lives there
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
