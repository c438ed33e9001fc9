package dev.crossgate.app.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.admin.ControlPlane;
import dev.crossgate.admin.ControlPlaneOptions;
import dev.crossgate.admin.cluster.ClusterOptions;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.cluster.ClusterClient;
import dev.crossgate.gateway.cluster.ClusterClientOptions;
import dev.crossgate.gateway.cluster.NodeAdminForwarder;
import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
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
 * A cluster in one JVM over real sockets: control-plane instances on one PostgreSQL database and
 * gateway nodes, each in its own Vert.x instance (as separate processes would be), so any of them
 * can be stopped and started again. Public for the attack tests in {@code app.security}.
 */
public final class ClusterKit implements AutoCloseable {
  public static final String ADMIN_TOKEN = "cga_cluster-test-admin-token";
  public static final String CLUSTER_TOKEN = "cluster-test-token";

  public final TestDatabases.Handle db;
  private final List<Admin> admins = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final long retained;
  private final Vertx upstreamVertx = Vertx.vertx();
  private io.vertx.core.http.HttpServer upstream;

  public ClusterKit(long retainedRevisions) {
    this(retainedRevisions, TestDatabases.pgHostPort());
  }

  /**
   * @param pgHostPort the PostgreSQL server to create the cluster's database on
   */
  public ClusterKit(long retainedRevisions, String pgHostPort) {
    this.retained = retainedRevisions;
    this.db = TestDatabases.postgres(pgHostPort);
  }

  /** One control-plane instance. */
  public record Admin(Vertx vertx, ControlPlane controlPlane, Path dataDir, boolean tls) {
    public URI uri() {
      return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + controlPlane.port());
    }
  }

  /** One gateway node: its cluster client, traffic server and admin port. */
  public record Node(
      String id,
      Vertx vertx,
      ClusterClient cluster,
      GatewayServer traffic,
      NodeAdminForwarder admin,
      Path dataDir,
      dev.crossgate.store.Database tasks) {
    public URI traffic(String path) {
      return URI.create("http://127.0.0.1:" + traffic.port() + path);
    }

    /** The node's admin port, which forwards to the control plane. */
    public URI adminUri() {
      return URI.create("http://127.0.0.1:" + admin.port());
    }
  }

  public Admin startAdmin() throws Exception {
    return startAdmin(0);
  }

  /** A control-plane instance on {@code port} (0: any free port). */
  public Admin startAdmin(int port) throws Exception {
    return startAdmin(port, null);
  }

  /** A control-plane instance serving HTTPS/WSS with {@code tls} = {cert, key} PEM paths. */
  Admin startAdmin(int port, Path[] tls) throws Exception {
    var vertx = Vertx.vertx();
    var dir = Files.createTempDirectory("cg-admin");
    var adminOptions =
        new dev.crossgate.admin.AdminOptions(
            "127.0.0.1",
            port,
            1 << 20,
            16 * 1024,
            tls == null ? null : tls[0].toString(),
            tls == null ? null : tls[1].toString());
    var options =
        new ControlPlaneOptions(
                dir,
                adminOptions,
                null,
                null,
                null,
                null,
                "crossgate:",
                Duration.ofHours(1),
                Duration.ofMinutes(5),
                null,
                ClusterOptions.defaults(null),
                null)
            .withDatabase(db.url(), "postgres", null)
            .withAdminToken(ADMIN_TOKEN)
            .withCluster(
                new ClusterOptions(
                    CLUSTER_TOKEN, Duration.ofSeconds(2), Duration.ofSeconds(10), retained));
    var cp = await(ControlPlane.start(vertx, options, () -> ""));
    var admin = new Admin(vertx, cp, dir, tls != null);
    admins.add(admin);
    return admin;
  }

  public void stopAdmin(Admin admin) throws Exception {
    await(admin.controlPlane().close());
    await(admin.vertx().close());
    admins.remove(admin);
  }

  public Node startNode(String id, Path dataDir, NodePolicy policy, List<URI> controlPlanes)
      throws Exception {
    return startNode(id, dataDir, policy, controlPlanes, null);
  }

  /** A node; {@code trustedCa} verifies https control planes (null: the JVM's defaults). */
  Node startNode(
      String id, Path dataDir, NodePolicy policy, List<URI> controlPlanes, String trustedCa)
      throws Exception {
    return startNode(id, dataDir, policy, controlPlanes, trustedCa, CLUSTER_TOKEN, false);
  }

  /** A node with the cluster token, enrolling on first contact. */
  public Node startNode(String id, Path dataDir, List<URI> controlPlanes) throws Exception {
    return startNode(
        id, dataDir, NodePolicy.acceptAll(), controlPlanes, null, CLUSTER_TOKEN, false);
  }

  /** A node without the cluster token: it connects only with the credential in its data dir. */
  public Node startEnrolledNode(String id, Path dataDir, List<URI> controlPlanes) throws Exception {
    return startNode(id, dataDir, NodePolicy.acceptAll(), controlPlanes, null, null, false);
  }

  /**
   * A node that keeps its tasks and transfers in the control plane's database, as the README's
   * cluster recipe runs them (--db on the shared PostgreSQL).
   */
  public Node startNodeOnSharedDatabase(String id, List<URI> controlPlanes) throws Exception {
    return startNode(
        id,
        Files.createTempDirectory("cg-node-" + id),
        NodePolicy.acceptAll(),
        controlPlanes,
        null,
        CLUSTER_TOKEN,
        true);
  }

  private Node startNode(
      String id,
      Path dataDir,
      NodePolicy policy,
      List<URI> controlPlanes,
      String trustedCa,
      String clusterToken,
      boolean sharedDatabase)
      throws Exception {
    var vertx = Vertx.vertx();
    var options =
        new ClusterClientOptions(
            controlPlanes,
            id,
            clusterToken,
            dataDir,
            policy,
            Duration.ofMillis(500),
            "test",
            trustedCa);
    var cluster = await(ClusterClient.start(vertx, options));
    var tasks =
        sharedDatabase ? dev.crossgate.store.Database.open(db.url(), "postgres", null, 4) : null;
    var services =
        tasks == null
            ? GatewayServices.NONE
            : new GatewayServices(
                tasks, dev.crossgate.gateway.task.TaskOptions.defaults(dataDir.resolve("tasks")));
    var traffic =
        await(
            GatewayServer.start(
                vertx,
                GatewayOptions.defaults().withListen("127.0.0.1", 0).withEventLoops(1),
                cluster,
                List.of(),
                // modules uploaded to the platform come from the control plane, as GatewayCommand
                // wires them
                services
                    .withExtensions(services.extensions().withHostedModules(cluster::fetchModule))
                    .withReadiness(cluster.readiness())));
    cluster.report(traffic::nodeReport);
    var admin =
        await(
            NodeAdminForwarder.start(
                vertx,
                "127.0.0.1",
                0,
                controlPlanes,
                options.sslOptions(),
                cluster,
                () -> traffic.metrics().scrape(),
                NodeAdminForwarder.DEFAULT_APPLY_WAIT,
                upstream -> traffic.upstreamPools().health(upstream)));
    var node = new Node(id, vertx, cluster, traffic, admin, dataDir, tasks);
    nodes.add(node);
    return node;
  }

  public Node startNode(String id, NodePolicy policy, List<URI> controlPlanes) throws Exception {
    return startNode(id, Files.createTempDirectory("cg-node-" + id), policy, controlPlanes);
  }

  /** Stops a node as a crash would leave it: its data dir stays. */
  public void stopNode(Node node) throws Exception {
    await(node.admin().close());
    await(node.traffic().close());
    await(node.cluster().close());
    await(node.vertx().close());
    if (node.tasks() != null) {
      node.tasks().close();
    }
    nodes.remove(node);
  }

  /** A real upstream on loopback that answers every request with "upstream saw PATH". */
  public String upstream() throws Exception {
    if (upstream == null) {
      upstream =
          await(
              upstreamVertx
                  .createHttpServer()
                  .requestHandler(req -> req.response().end("upstream saw " + req.path()))
                  .listen(0, "127.0.0.1"));
    }
    return "http://127.0.0.1:" + upstream.actualPort();
  }

  /** GET through a node's traffic port; returns status and body. */
  public String[] call(Node node, String path) throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(node.traffic(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    return new String[] {Integer.toString(response.statusCode()), response.body()};
  }

  public JsonNode post(URI base, String path, String json) throws Exception {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        201);
  }

  public JsonNode put(URI base, String path, String json) throws Exception {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)),
        200);
  }

  /** Any request with a JSON body (null: none) as the admin; the response, whatever its status. */
  public HttpResponse<String> exchange(String method, URI base, String path, String json)
      throws Exception {
    return request(method, base, path, ADMIN_TOKEN, json);
  }

  public JsonNode get(URI base, String path) throws Exception {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET(), 200);
  }

  /**
   * Any request with {@code token} as the Bearer token (null: none); the response, whatever its
   * status.
   */
  public HttpResponse<String> request(String method, URI base, String path, String token)
      throws Exception {
    return request(method, base, path, token, null);
  }

  /** As above, with a JSON body (null: none). */
  public HttpResponse<String> request(
      String method, URI base, String path, String token, String json) throws Exception {
    var builder =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    if (json != null) {
      builder.header("Content-Type", "application/json");
    }
    return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Uploads {@code module} as the admin to {@code path} ({@code …/versions/{v}/module}), with the
   * Content-Digest it needs; the response, whatever its status.
   */
  public HttpResponse<String> uploadModule(URI base, String path, byte[] module) throws Exception {
    var digest =
        "sha-256=:"
            + java.util.Base64.getEncoder()
                .encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(module))
            + ":";
    return http.send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
            .header("Content-Type", "application/wasm")
            .header("Content-Digest", digest)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(module))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** "nodeId STATE" for each node of an extension version's view ({@code …/versions/{v}}). */
  public static List<String> moduleStates(JsonNode versionView) {
    var states = new ArrayList<String>();
    for (var node : versionView.path("nodes")) {
      states.add(node.path("nodeId").asText() + " " + node.path("state").asText());
    }
    return states;
  }

  /** Whether {@code admin} lists {@code nodeId} as connected. */
  public boolean listedConnected(Admin admin, String nodeId) throws Exception {
    var view = nodeView(admin, nodeId);
    return view != null && view.path("connected").asBoolean();
  }

  /** The entry of {@code /admin/nodes} for {@code nodeId}, or null when the node is not listed. */
  public JsonNode nodeView(Admin admin, String nodeId) throws Exception {
    for (var n : get(admin.uri(), "/admin/nodes").path("nodes")) {
      if (n.path("nodeId").asText().equals(nodeId)) {
        return n;
      }
    }
    return null;
  }

  private JsonNode send(HttpRequest.Builder request, int expected) throws Exception {
    var response =
        http.send(
            request
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new AssertionError(
          "expected " + expected + " but got " + response.statusCode() + ": " + response.body());
    }
    return Json.mapper().readTree(response.body());
  }

  public static String route(String path, String target) {
    return "{\"service\":\"shop\",\"sourcePath\":\""
        + path
        + "\",\"targetUrl\":\""
        + target
        + "\"}";
  }

  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /**
   * Stops everything; unchecked, so that try-with-resources does not have to handle
   * InterruptedException.
   */
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
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the test cluster", e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the test cluster", e);
    }
  }
}
