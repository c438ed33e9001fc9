package dev.crossgate.store.transfer;

import com.sun.nio.file.ExtendedOpenOption;
import dev.crossgate.auth.Secrets;
import dev.crossgate.store.OwnerOnlyFiles;
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
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Chunk bytes on disk: {@code dataDir/<sha-256 of owner>/<id>/<number>.chunk}. The owner is hashed
 * so no tenant id can shape a path; ids are validated by the transfer endpoints before they get
 * here. A chunk is written to a temporary file, synced, and renamed into place (the directory
 * synced after), so a reader never sees half a chunk and an acknowledged chunk survives a power
 * loss.
 */
final class DiskChunkStore implements ChunkStore {
  private static final int READ_PIECE = 1 << 20;

  /**
   * One direct read buffer per worker thread: reads go from the page cache to it without a heap
   * copy.
   */
  private static final ThreadLocal<ByteBuffer> READ_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(READ_PIECE));

  private static final int DIRECT_MIN = 1 << 20;
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(DiskChunkStore.class);

  private final Path root;
  private volatile boolean directIo = true;

  DiskChunkStore(Path root) {
    this.root = root;
  }

  Path directory(String owner, String id) {
    return root.resolve(Secrets.sha256Hex(owner)).resolve(id);
  }

  Path chunk(String owner, String id, long number) {
    return directory(owner, id).resolve(number + ".chunk");
  }

  @Override
  public void write(String owner, String id, long number, ByteBuffer data) {
    var target = chunk(owner, id, number);
    try {
      var directory = target.getParent();
      if (!Files.isDirectory(directory)) {
        // callers' data: 700 directories, 600 files, whatever the process umask
        OwnerOnlyFiles.createDirectories(directory);
        // the new entries themselves must survive a power loss, up to the data dir's
        syncDirectory(directory.getParent());
        syncDirectory(root);
      }
      var temp = target.resolveSibling(number + "." + UUID.randomUUID() + ".tmp");
      var bytes = data.duplicate();
      int direct = directLength(bytes);
      if (direct > 0) {
        try (var channel =
            OwnerOnlyFiles.open(
                temp,
                Set.of(
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    ExtendedOpenOption.DIRECT))) {
          writeFully(channel, bytes.slice(bytes.position(), direct));
        } catch (UnsupportedOperationException | IOException e) {
          // a file system without O_DIRECT (tmpfs, some network mounts): buffered from now on
          LOG.info("event=chunk-direct-io-off dir={} reason=\"{}\"", root, e.toString());
          directIo = false;
          direct = 0;
          Files.deleteIfExists(temp);
        }
      }
      try (var channel =
          OwnerOnlyFiles.open(
              temp,
              Set.of(
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.APPEND))) {
        writeFully(channel, bytes.position(bytes.position() + direct));
        // a chunk is acknowledged once stored: O_DIRECT bypasses the page cache, not the disk's
        // own cache, and the buffered tail and the file's size are not on disk without this
        channel.force(false);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(directory); // the rename
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes the entries of {@code directory} durable (Linux: fsync on the directory). */
  private static void syncDirectory(Path directory) throws IOException {
    try (var channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // some platforms (Windows) cannot open a directory this way; the file itself was synced
      LOG.debug("event=chunk-dir-sync-skipped dir={} reason=\"{}\"", directory, e.toString());
    }
  }

  /**
   * How many leading bytes of {@code data} can be written with O_DIRECT: whole blocks from an
   * aligned direct buffer. Large chunks then go from the receive buffer to the disk without passing
   * through the page cache, which on the bench VM cost more CPU than sha-256 (see
   * bench/transfer/RESULTS.md); the tail, if any, is written buffered.
   */
  private int directLength(ByteBuffer data) {
    if (!directIo
        || !data.isDirect()
        || data.remaining() < DIRECT_MIN
        || data.alignmentOffset(data.position(), BLOCK) != 0) {
      return 0;
    }
    return data.remaining() / BLOCK * BLOCK;
  }

  private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  @Override
  public boolean read(String owner, String id, long number, Consumer<ByteBuffer> sink) {
    try (var channel = FileChannel.open(chunk(owner, id, number), StandardOpenOption.READ)) {
      var buffer = READ_BUFFER.get();
      buffer.clear();
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        sink.accept(buffer);
        buffer.clear();
      }
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void delete(String owner, String id, long number) {
    try {
      Files.deleteIfExists(chunk(owner, id, number));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes every file of a transfer, and the owner's directory when it became empty. */
  @Override
  public void deleteAll(String owner, String id) {
    var dir = directory(owner, id);
    try {
      if (Files.exists(dir)) {
        Files.walkFileTree(
            dir,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                  throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
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
