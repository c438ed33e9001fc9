package dev.crossgate.gateway.cluster;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a node's connection to the control plane.
 *
 * @param controlPlanes admin base URLs, tried in turn (any instance can serve any node)
 * @param heartbeat how often the node reports (revision, hash) for anti-entropy
 */
public record ClusterClientOptions(List<URI> controlPlanes, String nodeId, String clusterToken, Path dataDir,
    NodePolicy policy, Duration heartbeat, String version) {
  public ClusterClientOptions {
    if (controlPlanes.isEmpty()) {
      throw new IllegalArgumentException("at least one control plane URL is needed");
    }
    controlPlanes = List.copyOf(controlPlanes);
  }
}
