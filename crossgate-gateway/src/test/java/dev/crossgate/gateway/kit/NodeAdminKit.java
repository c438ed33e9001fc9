package dev.crossgate.gateway.kit;

import static dev.crossgate.gateway.kit.GatewayKit.await;

import dev.crossgate.gateway.cluster.ClusterClient;
import dev.crossgate.gateway.cluster.ClusterClientOptions;
import dev.crossgate.gateway.cluster.NodeAdminForwarder;
import dev.crossgate.gateway.cluster.NodePolicy;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A node's admin port in front of a stand-in control plane (a {@link RecordingUpstream} that
 * records what was forwarded), with a second recording server as the "victim" an attacker would
 * like the node to call. The node's cluster stream points at a closed port: these tests are about
 * the admin port alone.
 */
public final class NodeAdminKit implements AutoCloseable {
  public final Vertx vertx = Vertx.vertx();
  public final RecordingUpstream controlPlane = RecordingUpstream.start(vertx);
  public final RecordingUpstream victim = RecordingUpstream.start(vertx);
  private final ClusterClient cluster;
  private final NodeAdminForwarder nodeAdmin;

  public NodeAdminKit(Path dataDir) {
    var options =
        new ClusterClientOptions(
            List.of(URI.create("http://127.0.0.1:" + GatewayKit.closedPort())),
            "node-1",
            "cluster-token",
            dataDir,
            NodePolicy.allowedUpstreamSchemes(Set.of("http")),
            Duration.ofSeconds(30),
            "test");
    cluster = await(ClusterClient.start(vertx, options));
    nodeAdmin =
        await(
            NodeAdminForwarder.start(
                vertx,
                "127.0.0.1",
                0,
                List.of(URI.create(controlPlane.url("/"))),
                options.sslOptions(),
                cluster,
                () -> "",
                NodeAdminForwarder.DEFAULT_APPLY_WAIT,
                upstream -> java.util.Optional.empty()));
  }

  public ClusterClient cluster() {
    return cluster;
  }

  public int port() {
    return nodeAdmin.port();
  }

  @Override
  public void close() {
    await(nodeAdmin.close());
    await(cluster.close());
    controlPlane.close();
    victim.close();
    await(vertx.close());
  }
}
