package dev.crossgate.admin.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import dev.crossgate.upstream.Upstream;
import java.net.http.HttpRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamEndpointTest {
  private static final String ORDERS =
      """
      {"id":"orders","targets":[{"url":"http://10.0.0.5:8080","weight":100},
        {"url":"http://orders-b:8080/","weight":50}],
       "algorithm":"LEAST_CONNECTIONS",
       "healthCheck":{"path":"/health","intervalMs":2000,"timeoutMs":1000,
         "healthyThreshold":2,"unhealthyThreshold":3,"expectStatus":[200,399]},
       "passive":{"consecutiveFailures":5,"ejectMs":30000,"maxEjectedPercent":50},
       "retries":{"attempts":2,"on":["connect-failure","refused","503"],
         "perTryTimeoutMs":2000,"budgetPercent":20}}
      """;

  private static String route(String extra) {
    return "{\"service\":\"orders\",\"sourcePath\":\"/orders\"" + extra + "}";
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void upstreamsAreWrittenWithEtagsReachTheNodesAndCannotBeDeletedWhileRoutesUseThem(String dbKind)
      throws Exception {
    try (var kit = AdminKit.start(dbKind)) {
      var created = kit.post("/admin/upstreams", ORDERS);
      var twice = kit.post("/admin/upstreams", ORDERS);
      var route =
          kit.post("/admin/routes", route(",\"upstream\":\"orders\",\"targetPath\":\"/v2\""));

      assertThat(created.status()).isEqualTo(201);
      assertThat(created.header("location")).isEqualTo("/admin/upstreams/orders");
      assertThat(created.json().path("targets").get(1).path("url").asText())
          .isEqualTo("http://orders-b:8080");
      assertThat(twice.status()).isEqualTo(409);
      assertThat(route.status()).isEqualTo(201);
      assertThat(route.json().path("upstream").asText()).isEqualTo("orders");
      Awaitility.await()
          .until(() -> kit.controlPlane().follower().get().upstreams().containsKey("orders"));
      assertThat(kit.controlPlane().follower().get().upstreams().get("orders").algorithm())
          .isEqualTo(Upstream.Algorithm.LEAST_CONNECTIONS);

      var etag = created.header("etag");
      var stale =
          kit.send(
              HttpRequest.newBuilder(kit.uri("/admin/upstreams/orders"))
                  .header("Authorization", "Bearer " + AdminKit.ADMIN_TOKEN)
                  .header("Content-Type", "application/merge-patch+json")
                  .header("If-Match", "\"99\"")
                  .method(
                      "PATCH",
                      HttpRequest.BodyPublishers.ofString("{\"algorithm\":\"ROUND_ROBIN\"}")));
      var patched =
          kit.send(
              HttpRequest.newBuilder(kit.uri("/admin/upstreams/orders"))
                  .header("Authorization", "Bearer " + AdminKit.ADMIN_TOKEN)
                  .header("Content-Type", "application/merge-patch+json")
                  .header("If-Match", etag)
                  .method(
                      "PATCH",
                      HttpRequest.BodyPublishers.ofString("{\"algorithm\":\"ROUND_ROBIN\"}")));

      assertThat(stale.status()).isEqualTo(412);
      assertThat(patched.status()).isEqualTo(200);
      assertThat(patched.header("etag")).isNotEqualTo(etag);
      Awaitility.await()
          .until(
              () ->
                  kit.controlPlane().follower().get().upstreams().get("orders").algorithm()
                      == Upstream.Algorithm.ROUND_ROBIN);

      var refused = kit.delete("/admin/upstreams/orders");

      assertThat(refused.status()).isEqualTo(409);
      assertThat(refused.json().path("routes").get(0).asText())
          .isEqualTo(route.json().path("id").asText());
      assertThat(refused.json().path("detail").asText()).contains(route.json().path("id").asText());

      kit.delete("/admin/routes/" + route.json().path("id").asText());
      var deleted = kit.delete("/admin/upstreams/orders");
      var gone = kit.get("/admin/upstreams/orders");

      assertThat(deleted.status()).isEqualTo(204);
      assertThat(gone.status()).isEqualTo(404);
      Awaitility.await().until(() -> kit.controlPlane().follower().get().upstreams().isEmpty());
      var changes = kit.get("/admin/changes?after=0");
      assertThat(changes.json().findValuesAsText("entityType"))
          .containsSubsequence("UPSTREAM", "ROUTE", "UPSTREAM", "ROUTE", "UPSTREAM");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2"})
  void badUpstreamsAndRoutesAreRefusedFieldByField(String dbKind) throws Exception {
    try (var kit = AdminKit.start(dbKind)) {
      var bad =
          kit.post(
              "/admin/upstreams",
              """
              {"id":"bad id","targets":[{"url":"ftp://x","weight":0},{"url":"http://a"},{"url":"http://a"}],
               "algorithm":"CONSISTENT_HASH","hashOn":"cookie:x",
               "healthCheck":{"path":"health","intervalMs":1000,"timeoutMs":5000,"expectStatus":[500,200]},
               "passive":{"maxEjectedPercent":150},
               "retries":{"attempts":20,"on":["sometimes"],"budgetPercent":-1}}
              """);
      var none = kit.post("/admin/upstreams", "{\"id\":\"empty\",\"targets\":[]}");
      var both =
          kit.post("/admin/routes", route(",\"targetUrl\":\"http://x\",\"upstream\":\"orders\""));
      var neither = kit.post("/admin/routes", route(""));
      var unknown = kit.post("/admin/routes", route(",\"upstream\":\"nowhere\""));
      var pathWithoutPool =
          kit.post("/admin/routes", route(",\"targetUrl\":\"http://x\",\"targetPath\":\"/v2\""));

      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.errorFields())
          .containsExactlyInAnyOrder(
              "id",
              "targets[0].url",
              "targets[0].weight",
              "targets[2].url",
              "hashOn",
              "healthCheck.path",
              "healthCheck.timeoutMs",
              "healthCheck.expectStatus",
              "passive.maxEjectedPercent",
              "retries.attempts",
              "retries.on[0]",
              "retries.budgetPercent");
      assertThat(bad.header("content-type")).startsWith("application/problem+json");
      assertThat(none.errorFields()).containsExactly("targets");
      assertThat(both.errorFields()).containsExactly("targetUrl");
      assertThat(neither.errorFields()).containsExactly("targetUrl");
      assertThat(unknown.status()).isEqualTo(400);
      assertThat(unknown.errorFields()).containsExactly("upstream");
      assertThat(pathWithoutPool.errorFields()).containsExactly("targetPath");
      assertThat(kit.get("/admin/upstreams").json().path("items")).isEmpty();
    }
  }
}
