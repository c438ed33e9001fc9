package dev.crossgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.json.Json;
import java.net.URI;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * An upstream pool written on the control plane reaches a node by the cluster stream, the node
 * balances over it, and answers its own view of the pool's health on its admin port, to callers the
 * control plane lets read the upstream only.
 */
class UpstreamClusterTest {

  @Test
  void aNodeServesAPoolFromTheClusterStreamAndShowsItsHealthToAdminsOnly() throws Exception {
    try (var kit = new ClusterKit(1_000)) {
      var admin = kit.startAdmin();
      var node = kit.startNode("n1", NodePolicy.acceptAll(), List.of(admin.uri()));
      var target = kit.upstream();

      kit.post(
          admin.uri(),
          "/admin/upstreams",
          "{\"id\":\"orders\",\"targets\":[{\"url\":\""
              + target
              + "\",\"weight\":100},{\"url\":\"http://127.0.0.1:1\",\"weight\":100}],"
              + "\"retries\":{\"attempts\":1,\"on\":[\"refused\"],\"budgetPercent\":100}}");
      kit.post(
          admin.uri(),
          "/admin/routes",
          "{\"service\":\"orders\",\"sourcePath\":\"/orders\",\"upstream\":\"orders\","
              + "\"targetPath\":\"/api\"}");
      Awaitility.await().until(() -> node.cluster().get().upstreams().containsKey("orders"));
      Awaitility.await().until(() -> kit.call(node, "/orders/x")[0].equals("200"));

      var answers = new java.util.ArrayList<String>();
      for (int i = 0; i < 20; i++) {
        answers.add(String.join(" ", kit.call(node, "/orders/x")));
      }
      var nodeAdmin = URI.create("http://127.0.0.1:" + node.admin().port());
      var health =
          kit.request("GET", nodeAdmin, "/admin/upstreams/orders/health", ClusterKit.ADMIN_TOKEN);
      var anonymous = kit.request("GET", nodeAdmin, "/admin/upstreams/orders/health", null);
      var unknown =
          kit.request("GET", nodeAdmin, "/admin/upstreams/nobody/health", ClusterKit.ADMIN_TOKEN);

      // the refusing target's attempts were retried on the other: every call succeeded
      assertThat(answers).containsOnly("200 upstream saw /api/x");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body())
          .contains("\"upstream\":\"orders\"", "\"node\":\"n1\"")
          .contains(target);
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.body()).doesNotContain(target);
      assertThat(unknown.statusCode()).isEqualTo(404);
    }
  }

  @Test
  void theControlPlaneShowsEachNodesOwnViewOfAPoolFromItsHeartbeats() throws Exception {
    try (var kit = new ClusterKit(1_000)) {
      var admin = kit.startAdmin();
      var busy = kit.startNode("busy", NodePolicy.acceptAll(), List.of(admin.uri()));
      var idle = kit.startNode("idle", NodePolicy.acceptAll(), List.of(admin.uri()));
      var live = kit.upstream();
      var dead = "http://127.0.0.1:1";
      kit.post(
          admin.uri(),
          "/admin/upstreams",
          "{\"id\":\"orders\",\"targets\":[{\"url\":\""
              + live
              + "\"},{\"url\":\""
              + dead
              + "\"}],\"passive\":{\"consecutiveFailures\":2,\"ejectMs\":600000,"
              + "\"maxEjectedPercent\":50},"
              + "\"retries\":{\"attempts\":1,\"on\":[\"refused\"],\"budgetPercent\":100}}");
      kit.post(
          admin.uri(),
          "/admin/routes",
          "{\"service\":\"orders\",\"sourcePath\":\"/orders\",\"upstream\":\"orders\"}");
      Awaitility.await().until(() -> kit.call(busy, "/orders/x")[0].equals("200"));

      // only the busy node's traffic meets the refusing target, so only it ejects it
      for (int i = 0; i < 10; i++) {
        kit.call(busy, "/orders/x");
      }
      var health = new java.util.concurrent.atomic.AtomicReference<JsonNode>();
      Awaitility.await()
          .until(
              () -> {
                var answer =
                    kit.request(
                        "GET",
                        admin.uri(),
                        "/admin/upstreams/orders/health",
                        ClusterKit.ADMIN_TOKEN);
                health.set(Json.mapper().readTree(answer.body()));
                return answer.statusCode() == 200
                    && ejected(health.get(), "busy", dead)
                    && health.get().path("nodes").size() == 2;
              });
      var anonymous = kit.request("GET", admin.uri(), "/admin/upstreams/orders/health", null);
      kit.post(admin.uri(), "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
      var tenantKey = kit.post(admin.uri(), "/admin/tenants/acme/keys", "{}").path("key").asText();
      var byTenant = kit.request("GET", admin.uri(), "/admin/upstreams/orders/health", tenantKey);

      assertThat(health.get().path("upstream").asText()).isEqualTo("orders");
      assertThat(health.get().findValuesAsText("node")).containsExactly("busy", "idle");
      assertThat(ejected(health.get(), "idle", dead)).isFalse();
      assertThat(ejected(health.get(), "busy", live)).isFalse();
      assertThat(health.get().path("nodes").get(0).path("connected").asBoolean()).isTrue();
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.body()).doesNotContain(dead);
      // a tenant's key is not an operator's: the pools' addresses stay hidden
      assertThat(byTenant.statusCode()).isIn(401, 403);
      assertThat(byTenant.body()).doesNotContain(dead).doesNotContain(live);
    }
  }

  private static boolean ejected(JsonNode health, String node, String url) {
    for (var view : health.path("nodes")) {
      if (view.path("node").asText().equals(node)) {
        for (var target : view.path("targets")) {
          if (target.path("url").asText().equals(url)) {
            return target.path("ejected").asBoolean();
          }
        }
      }
    }
    return false;
  }

  @Test
  void aNodeThatSpeaksTlsOnlyRefusesAPoolWithAPlainHttpTarget() throws Exception {
    try (var kit = new ClusterKit(1_000)) {
      var admin = kit.startAdmin();
      var strict =
          kit.startNode(
              "strict",
              NodePolicy.allowedUpstreamSchemes(java.util.Set.of("https")),
              List.of(admin.uri()));

      kit.post(
          admin.uri(),
          "/admin/upstreams",
          "{\"id\":\"orders\",\"targets\":[{\"url\":\"https://127.0.0.1:1\"},"
              + "{\"url\":\"http://127.0.0.1:2\"}]}");

      kit.post(
          admin.uri(),
          "/admin/routes",
          "{\"service\":\"orders\",\"sourcePath\":\"/orders\",\"upstream\":\"orders\"}");

      // per resource: the node applies the revisions, does not use the pool, and so does not
      // serve the route to it; it says which and why in its ACK
      Awaitility.await()
          .untilAsserted(
              () -> {
                var view = kit.nodeView(admin, "strict");
                assertThat(view.path("lastResult").asText()).isEqualTo("ACK");
                assertThat(view.path("state").asText()).isEqualTo("applied-with-rejections");
                assertThat(view.path("rejected")).hasSize(1);
                var rejection = view.path("rejected").get(0);
                assertThat(rejection.path("entityType").asText()).isEqualTo("UPSTREAM");
                assertThat(rejection.path("entityId").asText()).isEqualTo("orders");
                assertThat(rejection.path("reason").asText())
                    .contains("upstream scheme 'http' is not allowed");
              });
      assertThat(strict.cluster().get().routes().routes()).isEmpty();
      assertThat(kit.call(strict, "/orders/a")[0]).isEqualTo("404");
    }
  }
}
