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
 * @param trustedCaPath PEM CA certificate(s) to verify https control planes with; null for the JVM's defaults
 */
public record ClusterClientOptions(List<URI> controlPlanes, String nodeId, String clusterToken, Path dataDir,
    NodePolicy policy, Duration heartbeat, String version, String trustedCaPath) {
  public ClusterClientOptions {
    if (controlPlanes.isEmpty()) {
      throw new IllegalArgumentException("at least one control plane URL is needed");
    }
    controlPlanes = List.copyOf(controlPlanes);
  }

  public ClusterClientOptions(List<URI> controlPlanes, String nodeId, String clusterToken, Path dataDir,
      NodePolicy policy, Duration heartbeat, String version) {
    this(controlPlanes, nodeId, clusterToken, dataDir, policy, heartbeat, version, null);
  }

  /** TLS client settings for https control planes: the given CA, or the JVM's trust store. */
  public io.vertx.core.net.ClientSSLOptions sslOptions() {
    var ssl = new io.vertx.core.net.ClientSSLOptions();
    if (trustedCaPath != null) {
      ssl.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(trustedCaPath));
    }
    return ssl;
  }
}
