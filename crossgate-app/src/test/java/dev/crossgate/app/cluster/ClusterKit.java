package dev.crossgate.app.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.admin.ControlPlane;
import dev.crossgate.admin.ControlPlaneOptions;
import dev.crossgate.admin.cluster.ClusterOptions;
import dev.crossgate.gateway.cluster.ClusterClient;
import dev.crossgate.gateway.cluster.ClusterClientOptions;
import dev.crossgate.gateway.cluster.NodeAdminForwarder;
import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.json.Json;
import dev.crossgate.store.TestDatabases;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster in one JVM over real sockets: control-plane instances on one PostgreSQL database
 * and gateway nodes, each in its own Vert.x instance (as separate processes would be), so any of
 * them can be stopped and started again.
 */
final class ClusterKit implements AutoCloseable {
  static final String ADMIN_TOKEN = "cga_cluster-test-admin-token";
  static final String CLUSTER_TOKEN = "cluster-test-token";

  final TestDatabases.Handle db = TestDatabases.postgres();
  private final List<Admin> admins = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final long retained;

  ClusterKit(long retainedRevisions) {
    this.retained = retainedRevisions;
  }

  /** One control-plane instance. */
  record Admin(Vertx vertx, ControlPlane controlPlane, Path dataDir) {
    URI uri() {
      return URI.create("http://127.0.0.1:" + controlPlane.port());
    }
  }

  /** One gateway node: its cluster client and its admin port. */
  record Node(String id, Vertx vertx, ClusterClient cluster, NodeAdminForwarder admin, Path dataDir) {}

  Admin startAdmin() throws Exception {
    var vertx = Vertx.vertx();
    var dir = Files.createTempDirectory("cg-admin");
    var options = ControlPlaneOptions.embedded(dir, "127.0.0.1", 0)
        .withDatabase(db.url(), "postgres", null)
        .withAdminToken(ADMIN_TOKEN)
        .withCluster(new ClusterOptions(CLUSTER_TOKEN, Duration.ofSeconds(2), Duration.ofSeconds(10), retained));
    var cp = await(ControlPlane.start(vertx, options, () -> ""));
    var admin = new Admin(vertx, cp, dir);
    admins.add(admin);
    return admin;
  }

  void stopAdmin(Admin admin) throws Exception {
    await(admin.controlPlane().close());
    await(admin.vertx().close());
    admins.remove(admin);
  }

  Node startNode(String id, Path dataDir, NodePolicy policy, List<URI> controlPlanes) throws Exception {
    var vertx = Vertx.vertx();
    var options = new ClusterClientOptions(controlPlanes, id, CLUSTER_TOKEN, dataDir, policy,
        Duration.ofMillis(500), "test");
    var cluster = await(ClusterClient.start(vertx, options));
    var admin = await(NodeAdminForwarder.start(vertx, "127.0.0.1", 0, controlPlanes, cluster));
    var node = new Node(id, vertx, cluster, admin, dataDir);
    nodes.add(node);
    return node;
  }

  Node startNode(String id, NodePolicy policy, List<URI> controlPlanes) throws Exception {
    return startNode(id, Files.createTempDirectory("cg-node-" + id), policy, controlPlanes);
  }

  /** Stops a node as a crash would leave it: its data dir stays. */
  void stopNode(Node node) throws Exception {
    await(node.admin().close());
    await(node.cluster().close());
    await(node.vertx().close());
    nodes.remove(node);
  }

  JsonNode post(URI base, String path, String json) throws Exception {
    return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)), 201);
  }

  JsonNode put(URI base, String path, String json) throws Exception {
    return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)), 200);
  }

  JsonNode get(URI base, String path) throws Exception {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET(), 200);
  }

  private JsonNode send(HttpRequest.Builder request, int expected) throws Exception {
    var response = http.send(request.header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(20))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new AssertionError("expected " + expected + " but got " + response.statusCode() + ": " + response.body());
    }
    return Json.mapper().readTree(response.body());
  }

  static String route(String path, String target) {
    return "{\"service\":\"shop\",\"sourcePath\":\"" + path + "\",\"targetUrl\":\"" + target + "\"}";
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    for (var node : List.copyOf(nodes)) {
      stopNode(node);
    }
    for (var admin : List.copyOf(admins)) {
      stopAdmin(admin);
    }
    db.close();
  }
}
