package dev.crossgate.app.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.admin.ControlPlane;
import dev.crossgate.admin.ControlPlaneOptions;
import dev.crossgate.admin.cluster.ClusterOptions;
import dev.crossgate.gateway.GatewayOptions;
import dev.crossgate.gateway.GatewayServer;
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
  private final Vertx upstreamVertx = Vertx.vertx();
  private io.vertx.core.http.HttpServer upstream;

  ClusterKit(long retainedRevisions) {
    this.retained = retainedRevisions;
  }

  /** One control-plane instance. */
  record Admin(Vertx vertx, ControlPlane controlPlane, Path dataDir, boolean tls) {
    URI uri() {
      return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + controlPlane.port());
    }
  }

  /** One gateway node: its cluster client, traffic server and admin port. */
  record Node(String id, Vertx vertx, ClusterClient cluster, GatewayServer traffic, NodeAdminForwarder admin,
      Path dataDir) {
    URI traffic(String path) {
      return URI.create("http://127.0.0.1:" + traffic.port() + path);
    }
  }

  Admin startAdmin() throws Exception {
    return startAdmin(0);
  }

  /** A control-plane instance on {@code port} (0: any free port). */
  Admin startAdmin(int port) throws Exception {
    return startAdmin(port, null);
  }

  /** A control-plane instance serving HTTPS/WSS with {@code tls} = {cert, key} PEM paths. */
  Admin startAdmin(int port, Path[] tls) throws Exception {
    var vertx = Vertx.vertx();
    var dir = Files.createTempDirectory("cg-admin");
    var adminOptions = new dev.crossgate.admin.AdminOptions("127.0.0.1", port, 1 << 20, 16 * 1024,
        tls == null ? null : tls[0].toString(), tls == null ? null : tls[1].toString());
    var options = new ControlPlaneOptions(dir, adminOptions, null, null, null, null, "crossgate:",
        Duration.ofHours(1), Duration.ofMinutes(5), null, ClusterOptions.defaults(null))
        .withDatabase(db.url(), "postgres", null)
        .withAdminToken(ADMIN_TOKEN)
        .withCluster(new ClusterOptions(CLUSTER_TOKEN, Duration.ofSeconds(2), Duration.ofSeconds(10), retained));
    var cp = await(ControlPlane.start(vertx, options, () -> ""));
    var admin = new Admin(vertx, cp, dir, tls != null);
    admins.add(admin);
    return admin;
  }

  void stopAdmin(Admin admin) throws Exception {
    await(admin.controlPlane().close());
    await(admin.vertx().close());
    admins.remove(admin);
  }

  Node startNode(String id, Path dataDir, NodePolicy policy, List<URI> controlPlanes) throws Exception {
    return startNode(id, dataDir, policy, controlPlanes, null);
  }

  /** A node; {@code trustedCa} verifies https control planes (null: the JVM's defaults). */
  Node startNode(String id, Path dataDir, NodePolicy policy, List<URI> controlPlanes, String trustedCa)
      throws Exception {
    var vertx = Vertx.vertx();
    var options = new ClusterClientOptions(controlPlanes, id, CLUSTER_TOKEN, dataDir, policy,
        Duration.ofMillis(500), "test", trustedCa);
    var cluster = await(ClusterClient.start(vertx, options));
    var traffic = await(GatewayServer.start(vertx, GatewayOptions.defaults().withListen("127.0.0.1", 0)
        .withEventLoops(1), cluster, List.of()));
    var admin = await(NodeAdminForwarder.start(vertx, "127.0.0.1", 0, controlPlanes, options.sslOptions(), cluster,
        () -> traffic.metrics().scrape()));
    var node = new Node(id, vertx, cluster, traffic, admin, dataDir);
    nodes.add(node);
    return node;
  }

  Node startNode(String id, NodePolicy policy, List<URI> controlPlanes) throws Exception {
    return startNode(id, Files.createTempDirectory("cg-node-" + id), policy, controlPlanes);
  }

  /** Stops a node as a crash would leave it: its data dir stays. */
  void stopNode(Node node) throws Exception {
    await(node.admin().close());
    await(node.traffic().close());
    await(node.cluster().close());
    await(node.vertx().close());
    nodes.remove(node);
  }

  /** A real upstream on loopback that answers every request with "upstream saw PATH". */
  String upstream() throws Exception {
    if (upstream == null) {
      upstream = await(upstreamVertx.createHttpServer()
          .requestHandler(req -> req.response().end("upstream saw " + req.path()))
          .listen(0, "127.0.0.1"));
    }
    return "http://127.0.0.1:" + upstream.actualPort();
  }

  /** GET through a node's traffic port; returns status and body. */
  String[] call(Node node, String path) throws Exception {
    var response = http.send(HttpRequest.newBuilder(node.traffic(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new String[] {Integer.toString(response.statusCode()), response.body()};
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

  // declares no checked exception: AutoCloseable.close must not throw InterruptedException (javac -Xlint:try)
  @Override
  public void close() {
    try {
      for (var node : List.copyOf(nodes)) {
        stopNode(node);
      }
      for (var admin : List.copyOf(admins)) {
        stopAdmin(admin);
      }
      db.close();
      await(upstreamVertx.close());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("closing the test cluster failed", e);
    }
  }
}
