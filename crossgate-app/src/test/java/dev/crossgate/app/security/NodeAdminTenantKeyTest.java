package dev.crossgate.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.admin.ControlPlane;
import dev.crossgate.admin.ControlPlaneOptions;
import dev.crossgate.admin.cluster.ClusterOptions;
import dev.crossgate.gateway.cluster.ClusterClient;
import dev.crossgate.gateway.cluster.ClusterClientOptions;
import dev.crossgate.gateway.cluster.NodeAdminForwarder;
import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.json.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant syncs its extension registry with its own API key through any node's admin port: the
 * node forwards {@code X-Api-Key} to a real control plane (it dropped it before, so such writes
 * failed with 401), and the control plane's answer and request id come back unchanged.
 */
class NodeAdminTenantKeyTest {
  private static final String ADMIN_TOKEN = "cga_node-admin-tenant-key-test-token";
  private static final String CLUSTER_TOKEN = "cluster-token-for-this-test";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Vertx vertx = Vertx.vertx();
  private ControlPlane controlPlane;
  private ClusterClient cluster;
  private NodeAdminForwarder nodeAdmin;

  @BeforeEach
  void start() throws Exception {
    // the control plane on its embedded H2 file database, as `crossgate admin` starts by default
    controlPlane =
        await(
            ControlPlane.start(
                vertx,
                ControlPlaneOptions.embedded(dir.resolve("cp"), "127.0.0.1", 0)
                    .withAdminToken(ADMIN_TOKEN)
                    // the registered extension's endpoint is on loopback, which the egress policy
                    // must admit
                    .withEgress(dev.crossgate.egress.EgressPolicy.allowing("127.0.0.1/32"))
                    .withCluster(
                        new ClusterOptions(
                            CLUSTER_TOKEN, Duration.ofSeconds(2), Duration.ofSeconds(10), 1000)),
                () -> ""));
    var controlPlanes = List.of(URI.create("http://127.0.0.1:" + controlPlane.port()));
    var options =
        new ClusterClientOptions(
            controlPlanes,
            "node-1",
            CLUSTER_TOKEN,
            dir.resolve("node"),
            NodePolicy.allowedUpstreamSchemes(Set.of("http")),
            Duration.ofSeconds(1),
            "test");
    cluster = await(ClusterClient.start(vertx, options));
    nodeAdmin =
        await(
            NodeAdminForwarder.start(
                vertx,
                "127.0.0.1",
                0,
                controlPlanes,
                options.sslOptions(),
                cluster,
                () -> "",
                NodeAdminForwarder.DEFAULT_APPLY_WAIT,
                upstream -> java.util.Optional.empty()));
  }

  @AfterEach
  void stop() throws Exception {
    await(nodeAdmin.close());
    await(cluster.close());
    await(controlPlane.close());
    await(vertx.close());
  }

  @Test
  void aTenantKeyPutThroughTheNodeAdminPortReachesTheControlPlaneAndIsStored() throws Exception {
    var key = tenantWithKey("acme");
    var spec =
        "{\"point\":\"request\",\"endpoint\":\"http://127.0.0.1:9/ext\",\"connection\":\"POOLED\","
            + "\"timeoutMs\":500,\"failurePolicy\":\"FAIL_CLOSED\",\"dependsOn\":[],"
            + "\"versions\":[{\"version\":\"v1\",\"weight\":1}]}";

    var put =
        http.send(
            HttpRequest.newBuilder(node("/admin/tenants/acme/extensions/order.validate"))
                .header("X-Api-Key", key)
                .header("Content-Type", "application/json")
                .header("X-Request-Id", "sync-42")
                .PUT(HttpRequest.BodyPublishers.ofString(spec))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(put.headers().firstValue("X-Request-Id")).contains("sync-42");
    assertThat(json(put.body()).path("tenant").asText()).isEqualTo("acme");
    var stored =
        http.send(
            HttpRequest.newBuilder(controlPlane("/admin/tenants/acme/extensions/order.validate"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(stored.statusCode()).isEqualTo(200);
  }

  @Test
  void aWrongTenantKeyThroughTheNodeIsTheControlPlanesOwn401() throws Exception {
    var put =
        http.send(
            HttpRequest.newBuilder(node("/admin/tenants/acme/extensions/order.validate"))
                .header("X-Api-Key", "cg_not-a-key")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(put.statusCode()).isEqualTo(401);
    assertThat(put.headers().firstValue("Content-Type")).contains("application/problem+json");
  }

  private String tenantWithKey(String tenant) throws Exception {
    asAdmin(
        "POST", "/admin/tenants", "{\"id\":\"" + tenant + "\",\"name\":\"" + tenant + "\"}", 201);
    var key =
        json(asAdmin("POST", "/admin/tenants/" + tenant + "/keys", "{}", 201)).path("key").asText();
    // the control plane knows a key once its follower applied the change
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                http.send(
                            HttpRequest.newBuilder(
                                    controlPlane("/admin/tenants/" + tenant + "/extensions"))
                                .header("X-Api-Key", key)
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 200);
    return key;
  }

  private String asAdmin(String method, String path, String body, int expected) throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(controlPlane(path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
    return response.body();
  }

  private URI node(String path) {
    return URI.create("http://127.0.0.1:" + nodeAdmin.port() + path);
  }

  private URI controlPlane(String path) {
    return URI.create("http://127.0.0.1:" + controlPlane.port() + path);
  }

  private static JsonNode json(String body) throws Exception {
    return Json.mapper().readTree(body);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
