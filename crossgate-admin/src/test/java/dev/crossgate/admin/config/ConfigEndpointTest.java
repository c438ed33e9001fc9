package dev.crossgate.admin.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossgate.admin.AdminKit;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.json.Json;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET/PUT /admin/config} against real control planes (PostgreSQL and H2): the export is a
 * file that rebuilds the same configuration elsewhere byte for byte, and applying is idempotent,
 * minimal, atomic and guarded by the revision a plan saw.
 */
class ConfigEndpointTest {
  private static final EgressPolicy LOOPBACK = EgressPolicy.allowing("127.0.0.1/32");

  @Test
  void anExportAppliedToAFreshControlPlaneExportsByteIdentically() throws Exception {
    try (var source = AdminKit.start("postgres", LOOPBACK);
        var fresh = AdminKit.start("h2", LOOPBACK)) {
      configureThroughTheApi(source);
      var exported = source.get("/admin/config");

      var applied = fresh.put("/admin/config", exported.body());
      var again = fresh.get("/admin/config");

      assertThat(exported.status()).isEqualTo(200);
      assertThat(applied.status()).isEqualTo(200);
      assertThat(applied.json().path("changes").size()).isEqualTo(9);
      assertThat(again.body()).isEqualTo(exported.body());
      // tenants' keys are issued, never exported
      assertThat(exported.body()).doesNotContain("keyHash").doesNotContain("cg_");
      // the pool and the route sending to it, the pool written first
      var pool = exported.json().path("upstreams").get(0);
      assertThat(pool.path("id").asText()).isEqualTo("carts-pool");
      assertThat(pool.path("algorithm").asText()).isEqualTo("LEAST_CONNECTIONS");
      assertThat(pool.path("healthCheck").path("path").asText()).isEqualTo("/health");
      assertThat(pool.has("retries")).isFalse(); // defaults are left out
      assertThat(pool.path("targets").get(1).has("weight")).isFalse(); // dns+srv: from records
      assertThat(fresh.get("/admin/upstreams/carts-pool").json().path("targets").size())
          .isEqualTo(2);
      var keys = applied.json().path("changes").findValuesAsText("key");
      assertThat(keys.indexOf("carts-pool")).isLessThan(keys.indexOf("shop /carts"));
      var revisions = fresh.controlPlane().changeLog().after(0, 100);
      assertThat(revisions).hasSize(9);
      assertThat(revisions.get(8).revision() - revisions.get(0).revision()).isEqualTo(8);
      assertThat(applied.header("etag")).isEqualTo("\"rev-" + revisions.get(8).revision() + "\"");
    }
  }

  @Test
  void theSameFileAppliedTwiceChangesNothingTheSecondTime() throws Exception {
    try (var kit = AdminKit.start("h2", LOOPBACK)) {
      configureThroughTheApi(kit);
      var file = kit.get("/admin/config").body();
      long before = kit.controlPlane().changeLog().latestRevision();

      var second = kit.put("/admin/config", file);

      assertThat(second.status()).isEqualTo(200);
      assertThat(second.json().path("changes").size()).isZero();
      assertThat(second.json().path("revision").asLong()).isEqualTo(before);
      assertThat(kit.controlPlane().changeLog().latestRevision()).isEqualTo(before);
    }
  }

  @Test
  void aOneFieldEditIsExactlyOneUpdateRevisionWithTheFieldBeforeAndAfter() throws Exception {
    try (var kit = AdminKit.start("h2", LOOPBACK)) {
      configureThroughTheApi(kit);
      var file = (ObjectNode) kit.get("/admin/config").json();
      long before = kit.controlPlane().changeLog().latestRevision();
      var route = (ObjectNode) file.withArray("routes").get(1); // shop /orders v1
      var oldTarget = route.path("targetUrl").asText();
      route.put("targetUrl", "http://orders-v2:8080/home");

      var reply = kit.put("/admin/config", file.toString());

      assertThat(reply.status()).isEqualTo(200);
      var changes = reply.json().path("changes");
      assertThat(changes.size()).isEqualTo(1);
      assertThat(changes.get(0).path("action").asText()).isEqualTo("UPDATE");
      assertThat(changes.get(0).path("at").asText()).isEqualTo("routes[1]");
      var field = changes.get(0).path("fields").get(0);
      assertThat(field.path("field").asText()).isEqualTo("targetUrl");
      assertThat(field.path("before").asText()).isEqualTo(oldTarget);
      assertThat(field.path("after").asText()).isEqualTo("http://orders-v2:8080/home");
      var log = kit.controlPlane().changeLog().after(before, 10);
      assertThat(log).hasSize(1);
      assertThat(log.get(0).op().name()).isEqualTo("UPDATE");
      assertThat(log.get(0).after().path("targetUrl").asText())
          .isEqualTo("http://orders-v2:8080/home");
    }
  }

  @Test
  void pruneRemovesExactlyWhatTheFileDropped() throws Exception {
    try (var kit = AdminKit.start("postgres", LOOPBACK)) {
      configureThroughTheApi(kit);
      var file = (ObjectNode) kit.get("/admin/config").json();
      var routes = file.withArray("routes");
      var dropped = routes.get(routes.size() - 1).deepCopy();
      routes.remove(routes.size() - 1);
      var filters = file.withArray("filters");
      var droppedFilter = filters.get(0).path("name").asText();
      filters.remove(0);

      var withoutPrune = kit.put("/admin/config", file.toString());
      var dry = kit.put("/admin/config?prune=true&dryRun=true", file.toString());
      var pruned = kit.put("/admin/config?prune=true", file.toString());
      var after = kit.get("/admin/config").json();

      assertThat(withoutPrune.json().path("changes").size()).isZero();
      assertThat(dry.json().path("applied").asBoolean()).isFalse();
      assertThat(dry.json().path("changes")).isEqualTo(pruned.json().path("changes"));
      var changes = pruned.json().path("changes");
      assertThat(changes.size()).isEqualTo(2);
      assertThat(changes.findValuesAsText("action")).containsOnly("DELETE");
      assertThat(changes.findValuesAsText("key"))
          .containsExactlyInAnyOrder(droppedFilter, "shop api.example.com/stock 1.0");
      assertThat(dropped.path("sourcePath").asText()).isEqualTo("/stock");
      assertThat(after.path("routes")).isEqualTo(file.path("routes"));
      assertThat(after.path("filters")).isEqualTo(file.path("filters"));
      assertThat(after.path("tenants")).isEqualTo(file.path("tenants"));
      assertThat(after.path("extensions")).isEqualTo(file.path("extensions"));
    }
  }

  @Test
  void aRouteMovesFromItsTargetUrlToANewPoolInOneApply() throws Exception {
    try (var kit = AdminKit.start("postgres", LOOPBACK)) {
      configureThroughTheApi(kit);
      var file = (ObjectNode) kit.get("/admin/config").json();
      file.withArray("upstreams")
          .addObject()
          .put("id", "stock-pool")
          .putArray("targets")
          .addObject()
          .put("url", "http://127.0.0.1:7001");
      var stock = (ObjectNode) file.withArray("routes").get(3);
      assertThat(stock.path("sourcePath").asText()).isEqualTo("/stock");
      stock.remove("targetUrl");
      stock.put("upstream", "stock-pool");
      long before = kit.controlPlane().changeLog().latestRevision();

      var reply = kit.put("/admin/config", file.toString());

      assertThat(reply.status()).as(reply.body()).isEqualTo(200);
      var changes = reply.json().path("changes");
      assertThat(changes.size()).isEqualTo(2);
      assertThat(changes.get(0).path("action").asText()).isEqualTo("CREATE");
      assertThat(changes.get(0).path("key").asText()).isEqualTo("stock-pool");
      assertThat(changes.get(1).path("action").asText()).isEqualTo("UPDATE");
      assertThat(changes.get(1).path("fields").findValuesAsText("field"))
          .containsExactlyInAnyOrder("targetUrl", "upstream");
      assertThat(kit.controlPlane().changeLog().latestRevision()).isEqualTo(before + 2);
      var route =
          kit.get("/admin/routes?service=shop").json().path("items").findParents("sourcePath");
      assertThat(route)
          .filteredOn(r -> r.path("sourcePath").asText().equals("/stock"))
          .singleElement()
          .satisfies(r -> assertThat(r.path("upstream").asText()).isEqualTo("stock-pool"));
    }
  }

  @Test
  void aPoolIsPrunedOnlyAfterItsRoutesLeaveItAndAPoolAKeptRouteNeedsIsNotPruned() throws Exception {
    try (var kit = AdminKit.start("h2", LOOPBACK)) {
      configureThroughTheApi(kit);
      var file = (ObjectNode) kit.get("/admin/config").json();
      file.withArray("upstreams").removeAll();
      long before = kit.controlPlane().changeLog().latestRevision();

      // the file keeps /carts on the pool it drops: refused, naming the route's field
      var refused = kit.put("/admin/config?prune=true", file.toString());

      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.errorFields()).containsExactly("routes[0].upstream");
      assertThat(refused.body()).contains("carts-pool");
      assertThat(kit.controlPlane().changeLog().latestRevision()).isEqualTo(before);

      // moved to a targetUrl in the same file, the route leaves the pool before it is deleted
      var carts = (ObjectNode) file.withArray("routes").get(0);
      carts.remove(List.of("upstream", "targetPath"));
      carts.put("targetUrl", "http://127.0.0.1:7002");
      var moved = kit.put("/admin/config?prune=true", file.toString());

      assertThat(moved.status()).as(moved.body()).isEqualTo(200);
      var changes = moved.json().path("changes");
      assertThat(changes.findValuesAsText("action")).containsExactly("UPDATE", "DELETE");
      assertThat(changes.get(1).path("key").asText()).isEqualTo("carts-pool");
      assertThat(kit.get("/admin/upstreams/carts-pool").status()).isEqualTo(404);
      assertThat(kit.get("/admin/config").json().path("routes")).isEqualTo(file.path("routes"));
    }
  }

  @Test
  void aChangeBetweenThePlanAndTheApplyIsRefusedAndNothingIsWritten() throws Exception {
    try (var kit = AdminKit.start("h2", LOOPBACK)) {
      configureThroughTheApi(kit);
      var file = (ObjectNode) kit.get("/admin/config").json();
      ((ObjectNode) file.withArray("routes").get(0)).put("summary", "edited in git");
      var plan = kit.put("/admin/config?dryRun=true", file.toString());
      var seen = plan.header("etag");
      kit.post(
          "/admin/routes",
          "{\"service\":\"other\",\"sourcePath\":\"/meanwhile\",\"targetUrl\":\"http://x\"}");
      long before = kit.controlPlane().changeLog().latestRevision();

      var apply =
          kit.send(
              HttpRequest.newBuilder(kit.uri("/admin/config"))
                  .header("Authorization", "Bearer " + AdminKit.ADMIN_TOKEN)
                  .header("Content-Type", "application/json")
                  .header("If-Match", seen)
                  .PUT(HttpRequest.BodyPublishers.ofString(file.toString())));

      assertThat(plan.json().path("changes").size()).isEqualTo(1);
      assertThat(apply.status()).isEqualTo(412);
      assertThat(apply.problemType()).isEqualTo("precondition-failed");
      assertThat(kit.controlPlane().changeLog().latestRevision()).isEqualTo(before);
    }
  }

  @Test
  void aFileWithOneBadEntryWritesNothingAndNamesTheEntry() throws Exception {
    try (var kit = AdminKit.start("h2", LOOPBACK)) {
      kit.post(
          "/admin/routes",
          "{\"service\":\"legacy\",\"sourcePath\":\"/taken\",\"targetUrl\":\"http://x\"}");
      long before = kit.controlPlane().changeLog().latestRevision();
      var file =
          """
          {"apiVersion": "crossgate/v1",
           "routes": [
             {"service": "shop", "sourcePath": "/fine", "targetUrl": "http://a"},
             {"service": "shop", "sourcePath": "/taken", "targetUrl": "http://b"}]}
          """;

      var reply = kit.put("/admin/config", file);

      assertThat(reply.status()).isEqualTo(409);
      assertThat(reply.errorFields()).containsExactly("routes[1]");
      assertThat(kit.controlPlane().changeLog().latestRevision()).isEqualTo(before);
      assertThat(kit.get("/admin/routes?service=shop").json().path("items").size()).isZero();
    }
  }

  @Test
  void everyInvalidFieldIsNamedByItsPathInTheFile() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var file =
          """
          {"apiVersion": "crossgate/v1",
           "routes": [
             {"service": "shop", "sourcePath": "/a", "targetUrl": "ftp://a"},
             {"service": "shop", "sourcePath": "b", "targetUrl": "http://b",
              "tls": {"clientCertPem": "${env:HOME}", "clientKeyPem": "${file:/etc/shadow}"}}],
           "filters": [{"kind": "IP", "value": "10.0.0.0/8"}]}
          """;

      var reply = kit.put("/admin/config", file);

      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.header("content-type")).isEqualTo("application/problem+json");
      assertThat(reply.errorFields())
          .contains("routes[1].tls.clientCertPem", "routes[1].tls.clientKeyPem");
      var again =
          kit.put(
              "/admin/config",
              file.replace("${env:HOME}", "x").replace("${file:/etc/shadow}", "y"));
      assertThat(again.errorFields())
          .contains("routes[0].targetUrl", "routes[1].sourcePath", "filters[0].name");
      assertThat(kit.controlPlane().changeLog().latestRevision()).isZero();
    }
  }

  @Test
  void anExtensionInAFileIsHeldToTheEgressPolicyLikeOneRegisteredThroughTheApi() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var file =
          """
          {"apiVersion": "crossgate/v1",
           "tenants": [{"id": "acme", "name": "Acme"}],
           "extensions": [{"tenant": "acme", "id": "steal", "point": "request",
             "endpoint": "http://169.254.169.254/latest/meta-data",
             "versions": [{"version": "v1", "weight": 1}]}]}
          """;

      var reply = kit.put("/admin/config", file);

      assertThat(reply.status()).isEqualTo(403);
      assertThat(reply.problemType()).isEqualTo("egress-refused");
      assertThat(kit.controlPlane().changeLog().latestRevision()).isZero();
    }
  }

  @Test
  void onlyAnAdminTokenMayApplyAFile() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var viewer =
          kit.post("/admin/tokens", "{\"name\":\"auditor\",\"role\":\"VIEWER\"}")
              .json()
              .path("token")
              .asText();
      var file = "{\"apiVersion\":\"crossgate/v1\",\"tenants\":[{\"id\":\"a\",\"name\":\"A\"}]}";

      var anonymous = kit.send("PUT", "/admin/config", null, "application/json", file);
      var asViewer = kit.send("PUT", "/admin/config", viewer, "application/json", file);
      var read = kit.send("GET", "/admin/config", viewer, null, null);

      assertThat(anonymous.status()).isEqualTo(401);
      assertThat(asViewer.status()).isEqualTo(403);
      assertThat(read.status()).isEqualTo(200);
      assertThat(kit.get("/admin/tenants").json().path("items").size()).isZero();
      assertThat(
              kit.get("/admin/openapi.json").json().path("paths").path("/admin/config").has("put"))
          .isTrue();
    }
  }

  @Test
  void anOlderRevisionIsExportedFromTheChangeLog() throws Exception {
    try (var kit = AdminKit.start("h2", LOOPBACK)) {
      configureThroughTheApi(kit);
      var then = kit.get("/admin/config");
      long revision = kit.controlPlane().changeLog().latestRevision();
      kit.post(
          "/admin/routes",
          "{\"service\":\"later\",\"sourcePath\":\"/later\",\"targetUrl\":\"http://x\"}");

      var at = kit.get("/admin/config?atRevision=" + revision);
      var future = kit.get("/admin/config?atRevision=" + (revision + 5));

      assertThat(at.status()).isEqualTo(200);
      assertThat(at.body()).isEqualTo(then.body());
      assertThat(at.header("etag")).isEqualTo("\"rev-" + revision + "\"");
      assertThat(future.status()).isEqualTo(404);
    }
  }

  /**
   * Tenants (one with a key), an extension, filters (one unnamed), an upstream pool and routes with
   * versions, one with an extension in its flow, one sending to the pool: 9 configuration entities
   * (the key is not one).
   */
  static void configureThroughTheApi(AdminKit kit) throws Exception {
    ok(kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme Corp\"}"));
    ok(kit.post("/admin/tenants/acme/keys", "{}"));
    ok(
        kit.put(
            "/admin/tenants/acme/extensions/enrich",
            "{\"point\":\"request\",\"endpoint\":\"http://127.0.0.1:9/enrich\","
                + "\"timeoutMs\":500,\"versions\":[{\"version\":\"v1\",\"weight\":1}]}"));
    ok(kit.post("/admin/filters", "{\"kind\":\"USER_AGENT\",\"value\":\"BadBot\"}"));
    ok(
        kit.post(
            "/admin/filters",
            "{\"name\":\"no-internal\",\"kind\":\"PATH_PREFIX\",\"value\":\"/internal\","
                + "\"priority\":10}"));
    ok(
        kit.post(
            "/admin/routes",
            "{\"service\":\"shop\",\"sourcePath\":\"/orders\",\"version\":\"v1\","
                + "\"defaultVersion\":true,\"targetUrl\":\"http://orders:8080/home\","
                + "\"methods\":[\"GET\",\"POST\"]}"));
    ok(
        kit.post(
            "/admin/routes",
            "{\"service\":\"shop\",\"sourcePath\":\"/orders\",\"version\":\"v2\","
                + "\"targetUrl\":\"http://orders:8080/index\",\"auth\":\"KEY\","
                + "\"flow\":[\"ext:acme/enrich\",\"proxy\"],"
                + "\"timeouts\":{\"connectMs\":1000,\"responseMs\":2000,\"idleMs\":3000}}"));
    ok(
        kit.post(
            "/admin/routes",
            "{\"service\":\"shop\",\"sourceHost\":\"api.example.com\",\"sourcePath\":\"/stock\","
                + "\"version\":\"1.0\",\"targetUrl\":\"http://stock\",\"mode\":\"ASYNC\"}"));
    ok(
        kit.post(
            "/admin/upstreams",
            "{\"id\":\"carts-pool\",\"algorithm\":\"LEAST_CONNECTIONS\","
                + "\"targets\":[{\"url\":\"http://127.0.0.1:7003\",\"weight\":3},"
                + "{\"url\":\"dns+srv://_http._tcp.carts.example\"}],"
                + "\"healthCheck\":{\"path\":\"/health\",\"intervalMs\":5000}}"));
    ok(
        kit.post(
            "/admin/routes",
            "{\"service\":\"shop\",\"sourcePath\":\"/carts\",\"upstream\":\"carts-pool\","
                + "\"targetPath\":\"/v1\"}"));
  }

  private static void ok(AdminKit.Reply reply) {
    assertThat(reply.status()).as(reply.body()).isBetween(200, 299);
    Json.mapper(); // replies are JSON
  }
}
