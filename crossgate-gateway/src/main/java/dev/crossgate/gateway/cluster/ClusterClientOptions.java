package dev.crossgate.gateway.cluster;

import dev.crossgate.cluster.NodeCredential;
import dev.crossgate.retry.Backoff;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a node's connection to the control plane.
 *
 * @param controlPlanes admin base URLs, tried in turn (any instance can serve any node)
 * @param nodeId this node's id, which its credential is bound to
 * @param clusterToken enrolment secret: presented once, to receive this node's credential; null (or
 *     blank) once the node has its credential in {@code dataDir}
 * @param dataDir where the node keeps its snapshot and its credential
 * @param heartbeat how often the node reports (revision, hash) for anti-entropy
 * @param trustedCaPath PEM CA certificate(s) to verify https control planes with; null for the
 *     JVM's defaults
 * @param reconnect the waits between attempts to reach a control plane
 */
public record ClusterClientOptions(
    List<URI> controlPlanes,
    String nodeId,
    String clusterToken,
    Path dataDir,
    NodePolicy policy,
    Duration heartbeat,
    String version,
    String trustedCaPath,
    Backoff reconnect) {
  /**
   * 250 ms doubling up to 5 s, full jitter: a restarted control plane is not hit by every node at
   * once.
   */
  public static final Backoff RECONNECT =
      Backoff.of(Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ZERO);

  public ClusterClientOptions {
    java.util.Objects.requireNonNull(reconnect, "reconnect");
    if (controlPlanes.isEmpty()) {
      throw new IllegalArgumentException("at least one control plane URL is needed");
    }
    controlPlanes = List.copyOf(controlPlanes);
    if (!NodeCredential.validNodeId(nodeId)) {
      throw new IllegalArgumentException(
          "node id '"
              + nodeId
              + "' is not valid: letters, digits, '.', '_' and '-', "
              + "starting with a letter or digit, at most 128 characters");
    }
    clusterToken = clusterToken == null || clusterToken.isBlank() ? null : clusterToken;
  }

  public ClusterClientOptions(
      List<URI> controlPlanes,
      String nodeId,
      String clusterToken,
      Path dataDir,
      NodePolicy policy,
      Duration heartbeat,
      String version) {
    this(controlPlanes, nodeId, clusterToken, dataDir, policy, heartbeat, version, null, RECONNECT);
  }

  public ClusterClientOptions(
      List<URI> controlPlanes,
      String nodeId,
      String clusterToken,
      Path dataDir,
      NodePolicy policy,
      Duration heartbeat,
      String version,
      String trustedCaPath) {
    this(
        controlPlanes,
        nodeId,
        clusterToken,
        dataDir,
        policy,
        heartbeat,
        version,
        trustedCaPath,
        RECONNECT);
  }

  public ClusterClientOptions withReconnect(Backoff reconnect) {
    return new ClusterClientOptions(
        controlPlanes,
        nodeId,
        clusterToken,
        dataDir,
        policy,
        heartbeat,
        version,
        trustedCaPath,
        reconnect);
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
