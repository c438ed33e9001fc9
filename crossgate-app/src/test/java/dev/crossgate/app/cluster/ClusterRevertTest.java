package dev.crossgate.app.cluster;

import static dev.crossgate.app.cluster.ClusterKit.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.cluster.NodePolicy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A revert over the real cluster stream: every node ends at the revert's last revision serving
 * exactly the configuration (hash) it served at the target revision, and traffic follows.
 */
class ClusterRevertTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @Test
  void afterARevertEveryNodeServesTheConfigurationHashOfTheTargetRevision() throws Exception {
    try (var kit = new ClusterKit(100_000)) {
      var admin = kit.startAdmin();
      var n1 = kit.startNode("n1", NodePolicy.acceptAll(), List.of(admin.uri()));
      var n2 = kit.startNode("n2", NodePolicy.acceptAll(), List.of(admin.uri()));
      var upstream = kit.upstream();
      var shop = kit.post(admin.uri(), "/admin/routes", route("/shop", upstream + "/v1"));
      var shopId = shop.path("id").asText();
      kit.post(admin.uri(), "/admin/routes", route("/old", upstream + "/old"));
      long target = kit.get(admin.uri(), "/admin/changes").path("latestRevision").asLong();
      await()
          .atMost(CONVERGE)
          .until(
              () ->
                  n1.cluster().get().revision() == target
                      && n2.cluster().get().revision() == target);
      var hashAtTarget = n1.cluster().get().hashHex();

      kit.put(admin.uri(), "/admin/routes/" + shopId, route("/shop", upstream + "/v2"));
      kit.post(admin.uri(), "/admin/routes", route("/new", upstream + "/new"));
      kit.post(admin.uri(), "/admin/tokens", "{\"name\":\"ci\",\"role\":\"VIEWER\"}");
      await().atMost(CONVERGE).until(() -> kit.call(n1, "/shop/x")[1].equals("upstream saw /v2/x"));
      var reverted = post(admin, "/admin/changes/revert", "{\"toRevision\":" + target + "}");
      long latest =
          reverted
              .headers()
              .firstValue("etag")
              .map(e -> Long.parseLong(e.replace("\"", "")))
              .orElseThrow();

      assertThat(reverted.statusCode()).as(reverted.body()).isEqualTo(200);
      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () -> {
                for (var node : List.of(n1, n2)) {
                  assertThat(node.cluster().get().revision()).isEqualTo(latest);
                  assertThat(node.cluster().get().hashHex()).isEqualTo(hashAtTarget);
                }
              });
      assertThat(admin.controlPlane().follower().get().hashHex()).isEqualTo(hashAtTarget);
      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () -> {
                var status = kit.get(admin.uri(), "/admin/nodes");
                assertThat(status.path("nodes"))
                    .allSatisfy(
                        n -> {
                          assertThat(n.path("appliedRevision").asLong()).isEqualTo(latest);
                          assertThat(n.path("inSync").asBoolean()).isTrue();
                        });
              });
      assertThat(kit.call(n2, "/shop/x")).containsExactly("200", "upstream saw /v1/x");
      assertThat(kit.call(n2, "/new/x")[0]).isEqualTo("404");
    }
  }

  private static HttpResponse<String> post(ClusterKit.Admin admin, String path, String json)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(admin.uri().resolve(path))
                .header("Authorization", "Bearer " + ClusterKit.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
