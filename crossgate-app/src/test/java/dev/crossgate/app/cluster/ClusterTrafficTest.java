package dev.crossgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.json.Json;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The console's traffic view of a cluster: two real gateway nodes report what their routes did on
 * their heartbeats, and the control plane (PostgreSQL, no node of its own) answers the sum, and
 * each node's share on its own, on {@code GET /admin/traffic} — to operators only.
 */
class ClusterTrafficTest {

  @Test
  void trafficThroughTwoNodesIsSummedWithItsServerErrorsAndEachNodeCanBeAskedAlone()
      throws Exception {
    var upstreamVertx = Vertx.vertx();
    try (var kit = new ClusterKit(1_000)) {
      // answers 500 to /fail…, 200 to everything else
      var upstream =
          ClusterKit.await(
              upstreamVertx
                  .createHttpServer()
                  .requestHandler(
                      req ->
                          req.response()
                              .setStatusCode(req.path().contains("/fail") ? 500 : 200)
                              .end("ok"))
                  .listen(0, "127.0.0.1"));
      var admin = kit.startAdmin();
      var n1 = kit.startNode("n1", NodePolicy.acceptAll(), List.of(admin.uri()));
      var n2 = kit.startNode("n2", NodePolicy.acceptAll(), List.of(admin.uri()));
      var route =
          kit.post(
                  admin.uri(),
                  "/admin/routes",
                  ClusterKit.route("/orders", "http://127.0.0.1:" + upstream.actualPort()))
              .path("id")
              .asText();
      Awaitility.await().until(() -> kit.call(n1, "/orders/ok")[0].equals("200"));
      Awaitility.await().until(() -> kit.call(n2, "/orders/ok")[0].equals("200"));

      // with the calls above: n1 40 requests (10 of them 500s), n2 20
      for (int i = 0; i < 29; i++) {
        kit.call(n1, "/orders/ok");
      }
      for (int i = 0; i < 10; i++) {
        assertThat(kit.call(n1, "/orders/fail")[0]).isEqualTo("500");
      }
      for (int i = 0; i < 19; i++) {
        kit.call(n2, "/orders/ok");
      }
      var all = new AtomicReference<JsonNode>();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                // samples on demand rather than waiting for the control plane's 5 s timer
                admin.controlPlane().traffic().sample();
                all.set(traffic(kit, admin, "/admin/traffic?minutes=15"));
                return requests(all.get(), route) == 60;
              });
      var onlyN1 = traffic(kit, admin, "/admin/traffic?minutes=15&node=n1");
      var onlyN2 = traffic(kit, admin, "/admin/traffic?minutes=15&node=n2");
      var unknown =
          kit.request("GET", admin.uri(), "/admin/traffic?node=n3", ClusterKit.ADMIN_TOKEN);

      assertThat(all.get().path("source").asText()).isEqualTo("cluster");
      assertThat(all.get().path("nodes").asInt()).isEqualTo(2);
      var series = series(all.get(), route);
      assertThat(series.path("serverErrors").asLong()).isEqualTo(10);
      // the 5xx share of the points with traffic: 10 of 60 overall, none from n2
      assertThat(maximum(series.path("errorRatio"))).isPositive();
      // the p99 comes from the nodes' summed duration buckets: some point has one
      assertThat(maximum(series.path("p99Seconds"))).isPositive().isLessThanOrEqualTo(30.0);
      assertThat(requests(onlyN1, route)).isEqualTo(40);
      assertThat(series(onlyN1, route).path("serverErrors").asLong()).isEqualTo(10);
      assertThat(requests(onlyN2, route)).isEqualTo(20);
      assertThat(series(onlyN2, route).path("serverErrors").asLong()).isZero();
      assertThat(maximum(series(onlyN2, route).path("errorRatio"))).isZero();
      assertThat(onlyN1.path("node").asText()).isEqualTo("n1");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.headers().firstValue("content-type").orElse(""))
          .startsWith("application/problem+json");
    } finally {
      ClusterKit.await(upstreamVertx.close());
    }
  }

  @Test
  void aTenantKeyIsRefusedTheClustersTraffic() throws Exception {
    try (var kit = new ClusterKit(1_000)) {
      var admin = kit.startAdmin();
      var node = kit.startNode("n1", NodePolicy.acceptAll(), List.of(admin.uri()));
      var route =
          kit.post(admin.uri(), "/admin/routes", ClusterKit.route("/payroll", kit.upstream()))
              .path("id")
              .asText();
      Awaitility.await().until(() -> kit.call(node, "/payroll/x")[0].equals("200"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                admin.controlPlane().traffic().sample();
                return requests(traffic(kit, admin, "/admin/traffic"), route) > 0;
              });
      kit.post(admin.uri(), "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
      var tenantKey = kit.post(admin.uri(), "/admin/tenants/acme/keys", "{}").path("key").asText();

      var all = kit.request("GET", admin.uri(), "/admin/traffic", tenantKey);
      var oneNode = kit.request("GET", admin.uri(), "/admin/traffic?node=n1", tenantKey);

      assertThat(all.statusCode()).isIn(401, 403);
      assertThat(oneNode.statusCode()).isIn(401, 403);
      assertThat(all.body() + oneNode.body()).doesNotContain(route).doesNotContain("payroll");
      assertThat(all.headers().firstValue("content-type").orElse(""))
          .startsWith("application/problem+json");
    }
  }

  private static JsonNode traffic(ClusterKit kit, ClusterKit.Admin admin, String path)
      throws Exception {
    var reply = kit.request("GET", admin.uri(), path, ClusterKit.ADMIN_TOKEN);
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    return Json.mapper().readTree(reply.body());
  }

  private static JsonNode series(JsonNode traffic, String route) {
    for (var r : traffic.path("routes")) {
      if (r.path("route").asText().equals(route)) {
        return r;
      }
    }
    return Json.mapper().createObjectNode();
  }

  private static long requests(JsonNode traffic, String route) {
    return series(traffic, route).path("requests").asLong();
  }

  private static double maximum(JsonNode values) {
    double max = 0;
    for (var v : values) {
      max = Math.max(max, v.asDouble());
    }
    return max;
  }
}
