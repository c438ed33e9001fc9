package dev.crossgate.store.cluster;

import java.time.Instant;

/** What the control plane knows of one gateway node. */
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
    boolean resyncRequested) {}
