package dev.crossgate.agent.transfer;

import dev.crossgate.auth.Secrets;
import dev.crossgate.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the client keeps on disk for one source file so a later run resumes the same transfer: the
 * descriptor (task id, size, mtime, chunk size) and an append-only log of chunk digests ({@code
 * number digest} per line), written before a chunk is sent. The chunks themselves are not copied:
 * they are offsets into the source file, which is checked against size, mtime and these digests
 * before anything is resent.
 */
final class SendState {
  /**
   * @param digest the chunk and whole-file digest algorithm the transfer was created with; null in
   *     state written before it was recorded, when {@code sha-256} was the only one {@code send}
   *     used
   */
  record Descriptor(
      String taskId,
      String file,
      long size,
      long modifiedMillis,
      int chunkSize,
      String target,
      String digest) {

    /** Whether a transfer begun with this descriptor can be resumed with {@code options}. */
    boolean resumableWith(TransferClientOptions options) {
      return java.util.Objects.equals(target, options.target())
          && (digest == null ? "sha-256" : digest).equals(options.digest());
    }
  }

  private final Path dir;

  private SendState(Path dir) {
    this.dir = dir;
  }

  static SendState forFile(Path stateDir, Path file) {
    return new SendState(
        stateDir.resolve(Secrets.sha256Hex(file.toAbsolutePath().normalize().toString())));
  }

  Descriptor load() throws IOException {
    var path = dir.resolve("descriptor.json");
    if (!Files.exists(path)) {
      return null;
    }
    return Json.read(Files.readString(path), Descriptor.class);
  }

  void save(Descriptor descriptor) throws IOException {
    clear();
    Files.createDirectories(dir);
    var temp = dir.resolve("descriptor.json.tmp");
    Files.writeString(temp, Json.write(descriptor));
    Files.move(
        temp,
        dir.resolve("descriptor.json"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** The digests logged so far; a torn last line (crash mid-write) is ignored. */
  Map<Long, String> digests() throws IOException {
    var log = dir.resolve("chunks.log");
    var out = new HashMap<Long, String>();
    if (!Files.exists(log)) {
      return out;
    }
    for (var line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      var parts = line.split(" ");
      if (parts.length == 2 && parts[1].endsWith(":")) {
        try {
          out.put(Long.parseLong(parts[0]), parts[1]);
        } catch (NumberFormatException ignored) {
          // torn line
        }
      }
    }
    return out;
  }

  synchronized void logDigest(long number, String digest) throws IOException {
    Files.writeString(
        dir.resolve("chunks.log"),
        number + " " + digest + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** Removes everything kept for the file (after success, or before starting over). */
  void clear() throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (var f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }
}
