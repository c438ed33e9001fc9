package dev.crossgate.gateway.cluster;

import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.json.Json;
import dev.crossgate.store.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's last applied configuration on disk, so that a node restarted while the control plane
 * is unreachable serves what it served before. Written whole to a temporary file and moved into
 * place atomically: a crash leaves the old snapshot or the new one, never half of one. Blocking:
 * call from a worker thread.
 */
public final class SnapshotFile {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFile.class);

  private final Path file;

  public SnapshotFile(Path dataDir) {
    this.file = dataDir.resolve("node-snapshot.json");
  }

  public void write(GatewayConfig config) throws IOException {
    write(() -> config);
  }

  /**
   * Writes the configuration {@code current} supplies when this write's turn comes: writes are
   * serialised (they share the temporary file), and a write that waited for another writes what is
   * current then, so an older configuration never replaces a newer one on disk.
   */
  public synchronized void write(Supplier<GatewayConfig> current) throws IOException {
    var config = current.get();
    // routes, upstreams and tenant key hashes: readable by the node's user only
    OwnerOnlyFiles.createDirectories(file.getParent());
    var tmp = file.resolveSibling(file.getFileName() + ".tmp");
    // streamed: a 10,000-route snapshot is megabytes, and as one byte array a humongous allocation
    // whose collections paused the node's serving (bench/cluster/RESULTS.md)
    var snapshot = ClusterMessage.Snapshot.of(config);
    OwnerOnlyFiles.write(tmp, out -> Json.mapper().writeValue(out, snapshot));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The stored configuration, or empty when there is none or it cannot be trusted. */
  public Optional<GatewayConfig> read() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      var snapshot = Json.mapper().readValue(file.toFile(), ClusterMessage.Snapshot.class);
      var config = snapshot.toConfig();
      if (!config.hashHex().equals(snapshot.hash())) {
        LOG.warn("ignoring node snapshot file={} reason=\"hash mismatch\"", file);
        return Optional.empty();
      }
      return Optional.of(config);
    } catch (IOException | RuntimeException e) {
      LOG.warn("ignoring node snapshot file={} error=\"{}\"", file, e.getMessage());
      return Optional.empty();
    }
  }
}
