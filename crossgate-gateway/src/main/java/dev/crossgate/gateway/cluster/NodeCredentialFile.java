package dev.crossgate.gateway.cluster;

import dev.crossgate.cluster.NodeCredential;
import dev.crossgate.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's credential in its data dir ({@code node-credential.json}: {@code {nodeId,
 * credential}}), readable by the node's user only (mode 600). The control plane showed the
 * credential once and keeps only its hash, so losing this file means an operator has to retire the
 * node before it can enrol again: it is written to a temporary file created with mode 600, forced
 * to disk, and moved into place atomically, so a crash leaves the old file or the new one.
 * Blocking: call from a worker thread.
 */
public final class NodeCredentialFile {
  private static final Logger LOG = LoggerFactory.getLogger(NodeCredentialFile.class);
  static final String NAME = "node-credential.json";
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private final Path file;

  public NodeCredentialFile(Path dataDir) {
    this.file = dataDir.resolve(NAME);
  }

  public Path path() {
    return file;
  }

  public void write(NodeCredential credential) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp;
    try {
      tmp =
          Files.createTempFile(
              file.getParent(), NAME, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (UnsupportedOperationException e) {
      tmp =
          Files.createTempFile(
              file.getParent(), NAME, ".tmp"); // not POSIX: the data dir's permissions apply
    }
    try {
      try (var channel =
          FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        var bytes = ByteBuffer.wrap(Json.writeBytes(credential));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * The stored credential of {@code nodeId}; empty when there is none, it is unreadable, or it
   * belongs to another node id (the node was renamed: it enrols under its new id).
   */
  public Optional<NodeCredential> read(String nodeId) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      var stored = Json.mapper().readValue(file.toFile(), NodeCredential.class);
      if (!stored.nodeId().equals(nodeId)) {
        LOG.warn(
            "ignoring node credential file={} reason=\"issued to node {}, this node is {}\"",
            file,
            stored.nodeId(),
            nodeId);
        return Optional.empty();
      }
      warnIfReadableByOthers();
      return Optional.of(stored);
    } catch (IOException | RuntimeException e) {
      LOG.warn("ignoring node credential file={} error=\"{}\"", file, e.getMessage());
      return Optional.empty();
    }
  }

  private void warnIfReadableByOthers() throws IOException {
    try {
      var permissions = Files.getPosixFilePermissions(file);
      if (!OWNER_ONLY.containsAll(permissions)) {
        LOG.warn(
            "node credential file={} permissions={}: anyone who reads it can connect as this node; "
                + "chmod 600 it",
            file,
            PosixFilePermissions.toString(permissions));
      }
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
  }
}
