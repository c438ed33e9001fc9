package dev.crossgate.store.cluster;

import dev.crossgate.cluster.ClusterMessage.Rejection;
import java.time.Instant;
import java.util.List;

/**
 * What the control plane knows of one gateway node; {@code rejected}: the resources of its applied
 * revision it does not serve, from its last ACK.
 */
public record NodeRecord(
    String nodeId,
    long appliedRevision,
    String configHash,
    String version,
    String adminInstance,
    boolean connected,
    Instant lastSeen,
    String lastResult,
    Long lastRevision,
    String lastError,
    boolean resyncRequested,
    List<Rejection> rejected) {
  public NodeRecord {
    rejected = rejected == null ? List.of() : List.copyOf(rejected);
  }
}
