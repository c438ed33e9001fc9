package dev.crossgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.cluster.NodePolicy;
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
      assertThat(health.body()).contains("\"upstream\":\"orders\"").contains(target);
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.body()).doesNotContain(target);
      assertThat(unknown.statusCode()).isEqualTo(404);
    }
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
