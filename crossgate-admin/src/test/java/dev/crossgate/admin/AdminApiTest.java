package dev.crossgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdminApiTest {

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void routesAreCreatedReadReplacedAndDeletedWithRevisions(String db) throws Exception {
    try (var kit = AdminKit.start(db)) {
      var created =
          kit.post(
              "/admin/routes",
              "{\"service\":\"shop\",\"summary\":\"home page\",\"sourcePath\":\"/shop\","
                  + "\"version\":\"v1\",\"targetUrl\":\"http://svc/home\",\"methods\":[\"GET\"]}");
      var id = created.json().path("id").asText();

      var read = kit.get("/admin/routes/" + id);
      var replaced =
          kit.put(
              "/admin/routes/" + id,
              "{\"service\":\"shop\",\"sourcePath\":\"/shop\","
                  + "\"version\":\"v1\",\"targetUrl\":\"http://svc/index\",\"methods\":[\"GET\",\"POST\"]}");
      var deleted = kit.delete("/admin/routes/" + id);
      var gone = kit.get("/admin/routes/" + id);
      var changes = kit.get("/admin/changes?after=0");

      assertThat(created.status()).isEqualTo(201);
      assertThat(created.header("location")).isEqualTo("/admin/routes/" + id);
      assertThat(created.json().path("createdBy").asText()).isEqualTo("bootstrap");
      assertThat(read.json().path("summary").asText()).isEqualTo("home page");
      assertThat(read.header("etag")).isEqualTo("\"1\"");
      assertThat(replaced.status()).isEqualTo(200);
      assertThat(replaced.json().path("targetUrl").asText()).isEqualTo("http://svc/index");
      assertThat(replaced.json().path("summary").isMissingNode()).isTrue();
      assertThat(replaced.header("etag")).isEqualTo("\"2\"");
      assertThat(deleted.status()).isEqualTo(204);
      assertThat(gone.status()).isEqualTo(404);
      assertThat(changes.json().path("latestRevision").asLong()).isEqualTo(3);
      assertThat(changes.json().path("items").findValuesAsText("op"))
          .containsExactly("INSERT", "UPDATE", "DELETE");
    }
  }

  @Test
  void requestsWithoutAValidTokenAre401() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var none = kit.send("GET", "/admin/routes", null, null, null);
      var wrong = kit.send("GET", "/admin/routes", "cga_not-a-token", null, null);

      assertThat(none.status()).isEqualTo(401);
      assertThat(none.problemType()).isEqualTo("unauthorized");
      assertThat(none.header("www-authenticate")).startsWith("Bearer");
      assertThat(wrong.status()).isEqualTo(401);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aWriteAnswersOnlyOnceTheConfigurationTheNodeInThisProcessServesIncludesIt(String db)
      throws Exception {
    try (var kit = AdminKit.start(db)) {
      var follower = kit.controlPlane().follower();
      var served = new java.util.ArrayList<String>();

      for (int i = 0; i < 20; i++) {
        var created =
            kit.post(
                "/admin/routes",
                "{\"service\":\"s\",\"sourcePath\":\"/p" + i + "\",\"targetUrl\":\"http://a/b\"}");
        // read at once, no waiting: what a standalone's gateway would serve right now
        served.add(created.header("x-crossgate-revision") + "=" + follower.get().revision());
      }

      assertThat(served)
          .allSatisfy(
              pair -> {
                var parts = pair.split("=");
                assertThat(Long.parseLong(parts[1]))
                    .isGreaterThanOrEqualTo(Long.parseLong(parts[0]));
              });
    }
  }

  @Test
  void anUnknownSortOrderIsRefusedNamingTheParameterAndTheAcceptedOrders() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var refused = kit.get("/admin/routes?sort=size");
      var bySubstring = kit.get("/admin/routes?q=x&sort=SERVICE");

      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.json().path("errors").get(0).path("field").asText()).isEqualTo("sort");
      assertThat(refused.json().path("errors").get(0).path("message").asText())
          .isEqualTo("must be one of id, service");
      assertThat(bySubstring.status()).isEqualTo(200);
    }
  }

  @Test
  void aViewerReadsButCannotWrite() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var issued = kit.post("/admin/tokens", "{\"name\":\"auditor\",\"role\":\"VIEWER\"}");
      var viewer = issued.json().path("token").asText();

      var read = kit.send("GET", "/admin/routes", viewer, null, null);
      var write =
          kit.send(
              "POST",
              "/admin/routes",
              viewer,
              "application/json",
              "{\"service\":\"shop\",\"sourcePath\":\"/x\",\"targetUrl\":\"http://a/b\"}");

      assertThat(issued.status()).isEqualTo(201);
      assertThat(read.status()).isEqualTo(200);
      assertThat(write.status()).isEqualTo(403);
      assertThat(write.problemType()).isEqualTo("forbidden");
      assertThat(kit.get("/admin/routes").json().path("items")).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void resolveAppliesVersionsByPathHeaderAndDefault(String db) throws Exception {
    try (var kit = AdminKit.start(db)) {
      kit.post(
          "/admin/routes",
          "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v1\","
              + "\"defaultVersion\":true,\"targetUrl\":\"http://a/home\"}");
      kit.post(
          "/admin/routes",
          "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v2\","
              + "\"targetUrl\":\"http://b/index\"}");

      var byPath =
          kit.get("/admin/resolve?url=" + encode("http://api.example.com/shop/v2/items?q=1"));
      var byHeader = kit.get("/admin/resolve?url=" + encode("/shop/items") + "&version=v2");
      var byDefault = kit.get("/admin/resolve?url=" + encode("/shop/items"));
      var unknownVersion = kit.get("/admin/resolve?url=" + encode("/shop/items") + "&version=v9");
      var nothing = kit.get("/admin/resolve?url=" + encode("/elsewhere"));
      var badUrl = kit.get("/admin/resolve?url=" + encode("http://"));

      assertThat(byPath.json().path("targetUrl").asText()).isEqualTo("http://b/index/items?q=1");
      assertThat(byPath.json().path("version").asText()).isEqualTo("v2");
      assertThat(byHeader.json().path("targetUrl").asText()).isEqualTo("http://b/index/items");
      assertThat(byDefault.json().path("targetUrl").asText()).isEqualTo("http://a/home/items");
      assertThat(byDefault.json().path("version").asText()).isEqualTo("v1");
      assertThat(unknownVersion.status()).isEqualTo(404);
      assertThat(unknownVersion.json().path("detail").asText()).contains("v9");
      assertThat(nothing.status()).isEqualTo(404);
      assertThat(badUrl.status()).isEqualTo(400);
      assertThat(badUrl.errorFields()).containsExactly("url");
    }
  }

  @Test
  void resolveGoesThroughRedisWhenConfigured() throws Exception {
    try (var kit = AdminKit.start("postgres", redisUri())) {
      kit.post(
          "/admin/routes",
          "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\"http://a/home\"}");

      var first = kit.get("/admin/resolve?url=" + encode("/shop/x"));
      var stats = kit.controlPlane().routeCache().stats();

      assertThat(first.status()).isEqualTo(200);
      // a miss filled from the database, or a hit on what the route's write stored meanwhile
      assertThat(stats.redisMisses.get() + stats.redisHits.get()).isPositive();
      assertThat(stats.redisErrors.get()).isZero();
    }
  }

  @Test
  void routeListsPageWithACursorAndFilter() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      for (int i = 0; i < 5; i++) {
        kit.post(
            "/admin/routes",
            "{\"service\":\"svc"
                + (i % 2)
                + "\",\"sourcePath\":\"/p"
                + i
                + "\",\"targetUrl\":\"http://a/b\"}");
      }

      var first = kit.get("/admin/routes?limit=2");
      var second =
          kit.get("/admin/routes?limit=2&cursor=" + first.json().path("nextCursor").asText());
      var filtered = kit.get("/admin/routes?service=svc0");
      var garbage = kit.get("/admin/routes?limit=2&cursor=zzz%27--");

      assertThat(garbage.status()).isEqualTo(400);
      assertThat(garbage.errorFields()).containsExactly("cursor");
      assertThat(first.json().path("items")).hasSize(2);
      assertThat(second.json().path("items")).hasSize(2);
      assertThat(second.json().path("items").get(0).path("id").asText())
          .isGreaterThan(first.json().path("items").get(1).path("id").asText());
      assertThat(filtered.json().path("items")).hasSize(3);
      assertThat(filtered.json().path("nextCursor").isMissingNode()).isTrue();
    }
  }

  @Test
  void tenantsGetKeysShownOnceAndStoredHashed() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var tenant = kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"ACME Corp\"}");
      var key = kit.post("/admin/tenants/acme/keys", "{\"participant\":\"analytics\"}");
      var listed = kit.get("/admin/tenants/acme/keys");
      var duplicate = kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"Again\"}");
      var badId = kit.post("/admin/tenants", "{\"id\":\"../etc\",\"name\":\"x\"}");
      var noTenant = kit.post("/admin/tenants/nobody/keys", "{}");
      var renamed = kit.put("/admin/tenants/acme", "{\"name\":\"ACME Inc\"}");

      assertThat(tenant.status()).isEqualTo(201);
      assertThat(key.status()).isEqualTo(201);
      var plaintext = key.json().path("key").asText();
      assertThat(plaintext).startsWith("cg_").hasSizeGreaterThan(40);
      assertThat(listed.body()).doesNotContain(plaintext).contains(plaintext.substring(0, 8));
      assertThat(listed.json().path("items").get(0).path("participant").asText())
          .isEqualTo("analytics");
      assertThat(kit.get("/admin/changes").body()).doesNotContain(plaintext);
      assertThat(duplicate.status()).isEqualTo(409);
      assertThat(badId.status()).isEqualTo(400);
      assertThat(badId.errorFields()).containsExactly("id");
      assertThat(noTenant.status()).isEqualTo(404);
      assertThat(renamed.json().path("name").asText()).isEqualTo("ACME Inc");
      assertThat(kit.get("/admin/tenants/nobody/keys").status()).isEqualTo(404);

      var revoked = kit.delete("/admin/tenants/acme/keys/" + key.json().path("id").asText());
      var again = kit.delete("/admin/tenants/acme/keys/" + key.json().path("id").asText());

      assertThat(revoked.status()).isEqualTo(204);
      assertThat(again.status()).isEqualTo(404);
      assertThat(kit.get("/admin/tenants/acme/keys").json().path("items")).isEmpty();
      assertThat(kit.get("/admin/changes?after=0").json().path("items").findValuesAsText("op"))
          .contains("DELETE");
    }
  }

  @Test
  void filterRulesAreValidatedAndListedInEvaluationOrder() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var late =
          kit.post(
              "/admin/filters", "{\"kind\":\"USER_AGENT\",\"value\":\"sqlmap\",\"priority\":50}");
      var early =
          kit.post("/admin/filters", "{\"kind\":\"IP\",\"value\":\"10.0.0.0/8\",\"priority\":10}");
      var badRegex = kit.post("/admin/filters", "{\"kind\":\"PATH_REGEX\",\"value\":\"([a-z\"}");
      var badCidr = kit.post("/admin/filters", "{\"kind\":\"IP\",\"value\":\"10.0.0.0/99\"}");
      var badKind =
          kit.post("/admin/filters", "{\"kind\":\"COUNTRY\",\"value\":\"x\",\"status\":200}");
      var list = kit.get("/admin/filters");
      var removed = kit.delete("/admin/filters/" + late.json().path("id").asText());
      var again = kit.delete("/admin/filters/" + late.json().path("id").asText());

      assertThat(late.status()).isEqualTo(201);
      assertThat(early.json().path("status").asInt()).isEqualTo(403);
      assertThat(badRegex.errorFields()).containsExactly("value");
      assertThat(badCidr.errorFields()).containsExactly("value");
      assertThat(badKind.errorFields()).containsExactlyInAnyOrder("kind", "status");
      assertThat(list.json().path("items").findValuesAsText("kind"))
          .containsExactly("IP", "USER_AGENT");
      assertThat(removed.status()).isEqualTo(204);
      assertThat(again.status()).isEqualTo(404);
    }
  }

  @Test
  void scopedFilterRulesShowTheirScopeAndAreListedAfterTheGlobalOnesTheyFollow() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var routed =
          kit.post(
              "/admin/filters",
              "{\"kind\":\"BODY_SIZE\",\"value\":\"1000\",\"priority\":1,"
                  + "\"scope\":\"SERVICE\",\"target\":\"uploads\"}");
      var endpoint =
          kit.post(
              "/admin/filters",
              "{\"kind\":\"BODY_SIZE\",\"value\":\"1000\",\"priority\":50,"
                  + "\"scope\":\"ENDPOINT\",\"target\":\"/_transfers\"}");
      kit.post("/admin/filters", "{\"kind\":\"METHOD\",\"value\":\"TRACE\",\"priority\":90}");
      var badEndpoint =
          kit.post(
              "/admin/filters",
              "{\"kind\":\"IP\",\"value\":\"10.0.0.1\",\"scope\":\"ENDPOINT\","
                  + "\"target\":\"/admin\"}");
      var badScope =
          kit.post("/admin/filters", "{\"kind\":\"IP\",\"value\":\"10.0.0.1\",\"scope\":\"NODE\"}");
      var globalWithTarget =
          kit.post("/admin/filters", "{\"kind\":\"IP\",\"value\":\"10.0.0.1\",\"target\":\"x\"}");
      var list = kit.get("/admin/filters");

      assertThat(routed.status()).isEqualTo(201);
      assertThat(routed.json().path("scope").asText()).isEqualTo("SERVICE");
      assertThat(endpoint.json().path("target").asText()).isEqualTo("/_transfers");
      assertThat(badEndpoint.errorFields()).containsExactly("target");
      assertThat(badScope.errorFields()).containsExactly("scope");
      assertThat(globalWithTarget.errorFields()).containsExactly("target");
      // a service rule runs once the request is routed, after every global and endpoint rule
      // GLOBAL, the default, is left out (as rules were written before scopes)
      assertThat(list.json().path("items").findValuesAsText("kind"))
          .containsExactly("BODY_SIZE", "METHOD", "BODY_SIZE");
      assertThat(list.json().path("items").findValuesAsText("scope"))
          .containsExactly("ENDPOINT", "SERVICE");
    }
  }

  @Test
  void rateLimitsOnRoutesAndTenantsAreValidatedFieldByFieldAndStored() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var bad =
          kit.post(
              "/admin/routes",
              "{\"service\":\"shop\",\"sourcePath\":\"/limited\","
                  + "\"targetUrl\":\"http://127.0.0.1:8081\",\"rateLimits\":["
                  + "{\"scope\":\"PLANET\",\"limit\":0,\"window\":\"2s\",\"burst\":-1}]}");
      var route =
          kit.post(
              "/admin/routes",
              "{\"service\":\"shop\",\"sourcePath\":\"/limited\","
                  + "\"targetUrl\":\"http://127.0.0.1:8081\",\"rateLimits\":["
                  + "{\"scope\":\"TENANT\",\"limit\":100,\"window\":\"1s\",\"burst\":20}]}");
      var tenant =
          kit.post(
              "/admin/tenants",
              "{\"id\":\"acme\",\"name\":\"Acme\",\"rateLimits\":["
                  + "{\"scope\":\"TENANT\",\"limit\":1000,\"window\":\"1h\"}]}");
      var badTenant =
          kit.put(
              "/admin/tenants/acme",
              "{\"name\":\"Acme\",\"rateLimits\":[{\"scope\":\"TENANT\",\"window\":\"1h\"}]}");

      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.errorFields())
          .containsExactlyInAnyOrder(
              "rateLimits[0].scope",
              "rateLimits[0].limit",
              "rateLimits[0].window",
              "rateLimits[0].burst");
      assertThat(route.status()).isEqualTo(201);
      assertThat(route.json().path("rateLimits").get(0).path("window").asText()).isEqualTo("1s");
      assertThat(route.json().path("rateLimits").get(0).path("burst").asLong()).isEqualTo(20);
      assertThat(tenant.status()).isEqualTo(201);
      assertThat(tenant.json().path("rateLimits").get(0).path("burst").asLong())
          .as("burst defaults to the limit")
          .isEqualTo(1000);
      assertThat(badTenant.errorFields()).containsExactly("rateLimits[0].limit");
    }
  }

  @Test
  void healthReadinessMetricsAndOpenApiAreServed() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var health = kit.send("GET", "/healthz", null, null, null);
      var ready = kit.send("GET", "/readyz", null, null, null);
      var metrics = kit.send("GET", "/metrics", null, null, null);
      var openapi = kit.get("/admin/openapi.json");

      assertThat(health.status()).isEqualTo(200);
      assertThat(ready.json().path("status").asText()).isEqualTo("ready");
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(openapi.status()).isEqualTo(200);
      assertThat(openapi.json().path("openapi").asText()).startsWith("3.");
      assertThat(openapi.json().path("paths").has("/admin/routes/{id}")).isTrue();
    }
  }

  @Test
  void theConsoleIsServedAtItsContractUrl() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var page = kit.send("GET", "/console/", null, null, null);
      var bare = kit.send("GET", "/console", null, null, null);

      assertThat(page.status()).isEqualTo(200);
      assertThat(page.header("content-type")).startsWith("text/html");
      assertThat(bare.status()).isEqualTo(302);
      assertThat(bare.header("location")).isEqualTo("/console/");
    }
  }

  @Test
  void requestIdsAreEchoedOrGenerated() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var given =
          kit.send(
              HttpRequest.newBuilder(kit.uri("/healthz")).header("X-Request-Id", "abc-123").GET());
      var generated = kit.send("GET", "/healthz", null, null, null);
      var unsafe =
          kit.send(
              HttpRequest.newBuilder(kit.uri("/admin/nope"))
                  .header("X-Request-Id", "a b<script>")
                  .GET());

      assertThat(given.header("x-request-id")).isEqualTo("abc-123");
      assertThat(generated.header("x-request-id")).matches("[0-9a-f]{32}");
      assertThat(unsafe.header("x-request-id")).matches("[0-9a-f]{32}");
      assertThat(unsafe.json().path("requestId").asText()).isEqualTo(unsafe.header("x-request-id"));
    }
  }

  private static String redisUri() {
    var env = System.getenv("CROSSGATE_TEST_REDIS");
    return env == null || env.isBlank() ? "redis://127.0.0.1:6379" : env;
  }
}
