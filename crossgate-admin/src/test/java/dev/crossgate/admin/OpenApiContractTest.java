package dev.crossgate.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.admin.traffic.GatewayMeters;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.json.Json;
import dev.crossgate.store.cluster.NodeRepository;
import dev.crossgate.store.transfer.TransferRecord;
import dev.crossgate.store.transfer.TransferRepository;
import dev.crossgate.store.transfer.TransferStatus;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The OpenAPI document against the real Admin API: a realistic session over HTTP calls every
 * documented operation, with successes and the error answers (400 with errors[], 401, 403, 404,
 * 409, 412, 415), and every answer must be documented (status and content type) and validate
 * against the document's schema for it.
 */
class OpenApiContractTest {
  private static final String UPSTREAM =
      """
      {"id":"orders","targets":[{"url":"http://10.0.0.5:8080","weight":100}],
       "algorithm":"ROUND_ROBIN","healthCheck":{"path":"/health"}}""";
  private static final String ROUTE =
      """
      {"service":"orders","sourcePath":"/orders","version":"v1","defaultVersion":true,
       "methods":["GET","POST"],"targetUrl":"http://10.0.0.5:8080/orders","summary":"orders",
       "timeouts":{"responseMs":5000},"enabled":true}""";
  private static final String EXTENSION =
      """
      {"point":"request","endpoint":"http://127.0.0.1:9/check","connection":"POOLED",
       "timeoutMs":500,"failurePolicy":"FAIL_CLOSED","versions":[{"version":"v1","weight":1}]}""";

  private AdminKit kit;
  private OpenApiContract contract;

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void everyOperationIsCalledAndEveryAnswerMatchesTheDocument(String dbKind) throws Exception {
    // the extension endpoint is on loopback: allowed here on purpose, refused by default
    try (var kit = AdminKit.start(dbKind, EgressPolicy.allowing("127.0.0.1/32"))) {
      this.kit = kit;
      var served = kit.get("/admin/openapi.json");
      contract = new OpenApiContract(served.body());
      contract.check("GET", "/admin/openapi.json", served);

      probes();
      tenantsKeysAndCertificates();
      var viewer = tokens();
      upstreamsAndRoutes(viewer);
      filters();
      extensions();
      changesAndConfig();
      nodesTransfersAndTasks();
      kit.controlPlane().readiness().drain();
      call("GET", "/readyz", null, null, null);
    }

    assertThat(contract.documentGaps()).as("responses documented without their body").isEmpty();
    var ids = contract.operationIds();
    assertThat(ids).as("operations without an operationId").noneMatch(id -> id.startsWith("("));
    assertThat(new LinkedHashSet<>(ids)).as("operationIds are unique").hasSameSizeAs(ids);
    assertThat(contract.document().path("servers").path(0).path("url").asText())
        .startsWith("http://");
    var notCalled = new ArrayList<>(ids);
    notCalled.removeAll(contract.called());
    assertThat(notCalled).as("documented operations this test never called").isEmpty();
    var neverSucceeded = new ArrayList<>(ids);
    neverSucceeded.removeAll(contract.succeeded());
    assertThat(neverSucceeded).as("operations that never answered 2xx").isEmpty();
    assertThat(contract.statuses())
        .contains(200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 412, 413, 415, 503);
    assertThat(contract.violations()).as("answers that do not match the document").isEmpty();
  }

  @Test
  void theCheckerReportsAnUndocumentedStatusAForeignContentTypeAndABodyOffTheSchema()
      throws Exception {
    var checker =
        new OpenApiContract(
            """
            {"openapi":"3.1.0","paths":{"/things/{id}":{"get":{"operationId":"getThing",
              "responses":{"200":{"description":"a thing","content":{"application/json":
                {"schema":{"$ref":"#/components/schemas/Thing"}}}},
                "204":{"description":"nothing"}}}}},
             "components":{"schemas":{
              "ThingFields":{"type":"object","properties":{"id":{"type":"string"}}},
              "Thing":{"$ref":"#/components/schemas/ThingFields","required":["id"],
                "properties":{"size":{"type":"integer"}}}}}}""");

    checker.check("GET", "/things/7", reply(200, "application/json", "{\"id\":\"7\",\"size\":1}"));
    checker.check("GET", "/things/7", reply(200, "application/json", "{\"id\":7,\"x\":1}"));
    checker.check("GET", "/things/7", reply(200, "text/html", "<p>7</p>"));
    checker.check("GET", "/things/7", reply(404, "application/problem+json", "{}"));
    checker.check("GET", "/things/7", reply(204, "application/json", "{}"));
    checker.check("GET", "/things/7/parts", reply(200, "application/json", "{}"));
    checker.check("DELETE", "/things/7", reply(204, null, ""));

    assertThat(checker.called()).containsExactly("getThing");
    assertThat(checker.violations())
        .hasSize(6)
        // the document's objects are open; the check takes them as closed
        .anySatisfy(v -> assertThat(v).contains("/id").contains("'x'"))
        .anySatisfy(v -> assertThat(v).contains("content type text/html not documented"))
        .anySatisfy(v -> assertThat(v).contains("-> 404: status not documented"))
        .anySatisfy(v -> assertThat(v).contains("-> 204: body not documented"))
        .anySatisfy(v -> assertThat(v).contains("GET /things/7/parts -> 200: no documented"))
        .anySatisfy(v -> assertThat(v).contains("DELETE /things/7 -> 204: no documented"));
  }

  private static AdminKit.Reply reply(int status, String contentType, String body)
      throws Exception {
    var headers =
        HttpHeaders.of(
            contentType == null ? Map.of() : Map.of("content-type", List.of(contentType)),
            (name, value) -> true);
    JsonNode json = null;
    try {
      json = Json.mapper().readTree(body);
    } catch (JsonProcessingException notJson) {
      // as AdminKit.Reply: null when the body is not JSON
    }
    return new AdminKit.Reply(status, headers, body, json);
  }

  private void probes() throws Exception {
    call("GET", "/healthz", null, null, null);
    call("GET", "/readyz", null, null, null);
    call("GET", "/metrics", null, null, null);
    admin("GET", "/admin/whoami");
    call("GET", "/admin/whoami", null, null, null);
  }

  private void tenantsKeysAndCertificates() throws Exception {
    assertThat(post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"ACME\"}").status())
        .isEqualTo(201);
    post("/admin/tenants", "{\"id\":\"globex\",\"name\":\"Globex\"}");
    assertThat(post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"again\"}").status())
        .isEqualTo(409);
    assertThat(post("/admin/tenants", "{\"id\":\"Not A Slug!\"}").status()).isEqualTo(400);
    assertThat(call("POST", "/admin/tenants", AdminKit.ADMIN_TOKEN, "text/plain", "id=x").status())
        .isEqualTo(415);
    admin("GET", "/admin/tenants");
    admin("GET", "/admin/tenants/acme");
    assertThat(admin("GET", "/admin/tenants/nobody").status()).isEqualTo(404);
    put("/admin/tenants/acme", "{\"name\":\"ACME Corp\",\"enabled\":true}");
    put("/admin/tenants/acme", "{\"name\":42}");

    var key = post("/admin/tenants/acme/keys", "{\"participant\":\"billing\"}");
    assertThat(key.status()).isEqualTo(201);
    post("/admin/tenants/nobody/keys", "{}");
    admin("GET", "/admin/tenants/acme/keys");
    var second = post("/admin/tenants/acme/keys", "{}");
    admin("DELETE", "/admin/tenants/acme/keys/" + second.json().path("id").asText());
    admin("DELETE", "/admin/tenants/acme/keys/no-such-key");

    var certificate =
        post("/admin/tenants/acme/certificates", "{\"kind\":\"SUBJECT\",\"value\":\"CN=billing\"}");
    assertThat(certificate.status()).isEqualTo(201);
    post("/admin/tenants/globex/certificates", "{\"kind\":\"SUBJECT\",\"value\":\"cn=billing\"}");
    post("/admin/tenants/acme/certificates", "{\"kind\":\"PEM\",\"value\":\"x\"}");
    post("/admin/tenants/nobody/certificates", "{\"kind\":\"SUBJECT\",\"value\":\"CN=x\"}");
    admin("GET", "/admin/tenants/acme/certificates");
    admin("GET", "/admin/tenants/nobody/certificates");
    admin("DELETE", "/admin/tenants/acme/certificates/" + certificate.json().path("id").asText());
    admin("DELETE", "/admin/tenants/acme/certificates/404");

    var issuer =
        "{\"issuer\":\"https://login.acme.example\",\"audiences\":[\"crossgate\"],"
            + "\"jwksUrl\":\"https://login.acme.example/jwks.json\","
            + "\"claimsToHeaders\":{\"sub\":\"X-Caller-Sub\"}}";
    assertThat(put("/admin/tenants/acme/issuers/main", issuer).status()).isEqualTo(201);
    assertThat(put("/admin/tenants/acme/issuers/main", issuer).status()).isEqualTo(200);
    put("/admin/tenants/globex/issuers/main", issuer); // 409: another tenant's issuer
    put("/admin/tenants/acme/issuers/bad", "{\"issuer\":\"ftp://x\",\"audiences\":[]}");
    put("/admin/tenants/nobody/issuers/main", issuer);
    admin("GET", "/admin/tenants/acme/issuers");
    admin("GET", "/admin/tenants/acme/issuers/main");
    admin("GET", "/admin/tenants/acme/issuers/none");
    put("/admin/tenants/acme/issuers/spare", issuer.replace("acme.example", "spare.example"));
    admin("DELETE", "/admin/tenants/acme/issuers/spare");
    admin("DELETE", "/admin/tenants/acme/issuers/none");
  }

  /** Returns a viewer token. */
  private String tokens() throws Exception {
    var viewer = post("/admin/tokens", "{\"name\":\"auditor\",\"role\":\"VIEWER\"}");
    assertThat(viewer.status()).isEqualTo(201);
    post("/admin/tokens", "{\"name\":\"auditor\"}");
    post("/admin/tokens", "{\"role\":\"KING\"}");
    var spare = post("/admin/tokens", "{\"name\":\"spare\",\"role\":\"ADMIN\"}");
    admin("GET", "/admin/tokens");
    call("GET", "/admin/tokens", null, null, null);
    var token = viewer.json().path("token").asText();
    call("GET", "/admin/whoami", token, null, null);
    call("POST", "/admin/tokens", token, "application/json", "{\"name\":\"escalated\"}");
    admin("DELETE", "/admin/tokens/" + spare.json().path("id").asText());
    admin("DELETE", "/admin/tokens/no-such-token");
    return token;
  }

  private void upstreamsAndRoutes(String viewer) throws Exception {
    assertThat(post("/admin/upstreams", UPSTREAM).status()).isEqualTo(201);
    post("/admin/upstreams", UPSTREAM);
    post("/admin/upstreams", "{\"id\":\"bad\",\"targets\":[]}");
    admin("GET", "/admin/upstreams");
    var upstream = admin("GET", "/admin/upstreams/orders");
    admin("GET", "/admin/upstreams/nowhere");
    var replaced =
        ifMatch(
            "PUT",
            "/admin/upstreams/orders",
            "application/json",
            UPSTREAM,
            upstream.header("etag"));
    ifMatch(
        "PUT", "/admin/upstreams/orders", "application/json", UPSTREAM, upstream.header("etag"));
    ifMatch(
        "PATCH",
        "/admin/upstreams/orders",
        "application/merge-patch+json",
        "{\"algorithm\":\"LEAST_CONNECTIONS\"}",
        replaced.header("etag"));
    admin("GET", "/admin/upstreams/orders/health");
    admin("GET", "/admin/upstreams/nowhere/health");

    var route = post("/admin/routes", ROUTE);
    assertThat(route.status()).isEqualTo(201);
    post("/admin/routes", ROUTE);
    assertThat(post("/admin/routes", "{\"service\":\"\",\"sourcePath\":\"orders\"}").errorFields())
        .isNotEmpty();
    call("POST", "/admin/routes", AdminKit.ADMIN_TOKEN, "text/plain", ROUTE);
    call("POST", "/admin/routes", viewer, "application/json", ROUTE);
    call("GET", "/admin/routes", null, null, null);
    var pooled =
        post(
            "/admin/routes",
            "{\"service\":\"orders\",\"sourcePath\":\"/pooled\",\"upstream\":\"orders\","
                + "\"targetPath\":\"/v2\"}");
    assertThat(pooled.status()).isEqualTo(201);
    var batch =
        post(
            "/admin/routes/batch",
            "[{\"service\":\"shop\",\"sourcePath\":\"/cart\",\"targetUrl\":\"http://10.0.0.6\"},"
                + "{\"service\":\"shop\",\"sourcePath\":\"/pay\",\"targetUrl\":\"http://10.0.0.6\","
                + "\"mode\":\"ASYNC\",\"asyncExecution\":\"HELD\"}]");
    assertThat(batch.status()).isEqualTo(201);
    post("/admin/routes/batch", "[{\"service\":\"shop\"}]");
    // above the Admin API's body limit (1 MiB by default)
    post("/admin/routes/batch", "[" + " ".repeat(1_100_000) + "]");
    var page = admin("GET", "/admin/routes?limit=2");
    admin("GET", "/admin/routes?limit=2&cursor=" + page.json().path("nextCursor").asText());
    admin("GET", "/admin/routes?limit=0");

    var path = "/admin/routes/" + route.json().path("id").asText();
    var read = admin("GET", path);
    admin("GET", "/admin/routes/rt_nothing");
    var putBack =
        ifMatch(
            "PUT",
            path,
            "application/json",
            ROUTE.replace("\"orders\",\"sourcePath", "\"orders\",\"remarks\":\"r\",\"sourcePath"),
            read.header("etag"));
    ifMatch("PUT", path, "application/json", ROUTE, read.header("etag"));
    call("PUT", path, AdminKit.ADMIN_TOKEN, "application/json", "{\"service\":\"orders\"}");
    var patched =
        ifMatch(
            "PATCH",
            path,
            "application/merge-patch+json",
            "{\"summary\":\"patched\"}",
            putBack.header("etag"));
    ifMatch(
        "PATCH",
        path,
        "application/merge-patch+json",
        "{\"summary\":\"stale\"}",
        putBack.header("etag"));
    call("PATCH", path, AdminKit.ADMIN_TOKEN, "text/plain", "summary=x");

    call("GET", "/admin/resolve?url=http://any.host/orders/7&method=GET", viewer, null, null);
    call("GET", "/admin/resolve?url=http://any.host/nothing", viewer, null, null);
    call("GET", "/admin/resolve?url=http://any.host/orders/7&method=DELETE", viewer, null, null);
    call("GET", "/admin/resolve", viewer, null, null);

    admin("DELETE", "/admin/upstreams/orders");
    ifMatch("DELETE", path, null, null, putBack.header("etag"));
    ifMatch("DELETE", path, null, null, patched.header("etag"));
    admin("DELETE", path);
    admin("DELETE", "/admin/routes/" + pooled.json().path("id").asText());
    admin("DELETE", "/admin/upstreams/orders");
  }

  private void filters() throws Exception {
    var filter =
        post("/admin/filters", "{\"kind\":\"USER_AGENT\",\"value\":\"sqlmap\",\"priority\":50}");
    assertThat(filter.status()).isEqualTo(201);
    post("/admin/filters", "{\"kind\":\"PATH_REGEX\",\"value\":\"([a-z\"}");
    admin("GET", "/admin/filters");
    admin("DELETE", "/admin/filters/" + filter.json().path("id").asText());
    admin("DELETE", "/admin/filters/flt_nothing");
  }

  private void extensions() throws Exception {
    var key = post("/admin/tenants/acme/keys", "{}").json().path("key").asText();
    var otherKey = post("/admin/tenants/globex/keys", "{}").json().path("key").asText();
    // a key is accepted once the control plane's follower applied the change
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                kit.send(
                            HttpRequest.newBuilder(kit.uri("/admin/tenants/globex/extensions"))
                                .header("X-Api-Key", otherKey))
                        .status()
                    == 200);

    assertThat(put("/admin/tenants/acme/extensions/order.check", EXTENSION).status())
        .isEqualTo(200);
    put("/admin/tenants/acme/extensions/odd", EXTENSION.replace("request", "before-lunch"));
    put(
        "/admin/tenants/acme/extensions/built-on",
        EXTENSION.replace("\"versions\"", "\"dependsOn\":[\"order.check\"],\"versions\""));
    asTenant("GET", "/admin/tenants/acme/extensions", key, null);
    asTenant("GET", "/admin/tenants/acme/extensions", otherKey, null);
    asTenant("PUT", "/admin/tenants/acme/extensions/stolen", otherKey, EXTENSION);
    admin("GET", "/admin/tenants/acme/extensions/order.check");
    admin("GET", "/admin/tenants/acme/extensions/nothing");

    // a module uploaded to the platform: no endpoint, its version runs where the gateway runs
    put(
        "/admin/tenants/acme/extensions/hosted",
        "{\"point\":\"request\",\"timeoutMs\":500,\"versions\":[{\"version\":\"v1\",\"weight\":1}]}");
    var module =
        com.dylibso.chicory.wabt.Wat2Wasm.parse(
            "(module (memory (export \"memory\") 1) (func (export \"_start\")))");
    var digest =
        "sha-256=:"
            + java.util.Base64.getEncoder()
                .encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(module))
            + ":";
    var modulePath = "/admin/tenants/acme/extensions/hosted/versions/v1/module";
    upload(modulePath, key, module, digest);
    upload(modulePath, key, module, "sha-256=:AAAA:");
    upload(modulePath, otherKey, module, digest);
    upload("/admin/tenants/acme/extensions/hosted/versions/v7/module", key, module, digest);
    // node-m reports the module failed, node-n never loaded it: every state shape is validated
    var nodes = new NodeRepository(kit.controlPlane().database(), Clock.systemUTC());
    for (var node : List.of("node-m", "node-n")) {
      nodes.enrol(node, "00".repeat(32));
      nodes.seen(node, 1, "ab".repeat(8), "0.1.0", "admin-1");
    }
    nodes.seen(
        "node-m",
        1,
        "ab".repeat(8),
        "0.1.0",
        "admin-1",
        new ClusterMessage.NodeReport(
            List.of(),
            List.of(
                new ModuleLoad(
                    "acme",
                    ArtifactCheck.sha256(module),
                    ModuleLoad.State.FAILED,
                    Instant.now(),
                    "the module needs 300 memory pages, more than the 256 allowed"))));
    asTenant("GET", "/admin/tenants/acme/extensions/hosted/versions/v1", key, null);
    nodes.retire("node-m");
    nodes.retire("node-n");
    asTenant("GET", "/admin/tenants/acme/extensions/hosted/versions/v1", otherKey, null);
    admin("GET", "/admin/tenants/acme/extensions/hosted/versions/v9");
    admin("DELETE", "/admin/tenants/acme/extensions/order.check");
    admin("DELETE", "/admin/tenants/acme/extensions/built-on");
    admin("DELETE", "/admin/tenants/acme/extensions/nothing");
  }

  private void changesAndConfig() throws Exception {
    var changes = admin("GET", "/admin/changes?limit=500");
    admin("GET", "/admin/changes?after=x");
    var items = changes.json().path("items");
    var middle = items.get(items.size() / 2).path("revision").asLong();
    var preview = post("/admin/changes/revert", "{\"toRevision\":" + middle + ",\"dryRun\":true}");
    assertThat(preview.status()).isEqualTo(200);
    ifMatch(
        "POST",
        "/admin/changes/revert",
        "application/json",
        "{\"toRevision\":" + middle + "}",
        preview.header("etag"));
    ifMatch(
        "POST",
        "/admin/changes/revert",
        "application/json",
        "{\"toRevision\":" + middle + "}",
        preview.header("etag"));
    post("/admin/changes/revert", "{\"toRevision\":-1}");

    var file = admin("GET", "/admin/config");
    var plan = put("/admin/config?dryRun=true", file.body());
    ifMatch("PUT", "/admin/config", "application/json", file.body(), plan.header("etag"));
    put("/admin/config", "{\"apiVersion\":\"crossgate/v0\"}");
    admin("GET", "/admin/config?atRevision=x");
  }

  private void nodesTransfersAndTasks() throws Exception {
    admin("GET", "/admin/nodes");
    // a node as the cluster stream records it: enrolled, connected, one ACK and one NACK
    var nodes = new NodeRepository(kit.controlPlane().database(), Clock.systemUTC());
    nodes.enrol("node-a", "00".repeat(32));
    nodes.seen("node-a", 1, "ab".repeat(8), "0.1.0", "admin-1");
    nodes.recordResult("node-a", 1, true, "ab".repeat(8), null);
    nodes.recordResult("node-a", 2, false, "ab".repeat(8), "route rt_x: bad target");
    admin("GET", "/admin/nodes");
    admin("GET", "/admin/nodes/node-a/history");
    admin("GET", "/admin/nodes/node-gone/history");
    admin("GET", "/admin/nodes/node-a/history?limit=0");
    admin("POST", "/admin/nodes/node-a/resync");
    admin("POST", "/admin/nodes/node-gone/resync");
    admin("DELETE", "/admin/nodes/node-a");
    admin("DELETE", "/admin/nodes/node-a?force=maybe");
    admin("DELETE", "/admin/nodes/node-a?force=true");
    admin("DELETE", "/admin/nodes/node-gone");

    var now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    new TransferRepository(kit.controlPlane().database().dataSource())
        .insert(
            new TransferRecord(
                "acme",
                "tr-1",
                "tus",
                4096,
                2,
                8192L,
                "sha-256",
                null,
                "report.csv",
                null,
                null,
                TransferStatus.OPEN,
                null,
                null,
                4096,
                1,
                1,
                1,
                now,
                now,
                now.plus(1, ChronoUnit.DAYS)));
    admin("GET", "/admin/transfers");
    admin("GET", "/admin/transfers?limit=0");

    admin("GET", "/admin/tasks?limit=10");
    admin("GET", "/admin/tasks?status=LOST");

    admin("GET", "/admin/traffic");
    var meters = new GatewayMeters();
    kit.controlPlane().localNode(LocalNodeView.ofMeters(meters.registry()));
    kit.controlPlane().traffic().sample();
    meters.record("rt_orders", "orders", 200, Duration.ofMillis(12), 20);
    kit.controlPlane().traffic().sample();
    kit.controlPlane().traffic().sample();
    admin("GET", "/admin/traffic?minutes=5&routes=3");
    admin("GET", "/admin/traffic?minutes=0");
    kit.controlPlane()
        .traffic()
        .report(
            "node-1",
            List.of(
                new dev.crossgate.traffic.RouteTraffic(
                    "rt_orders",
                    "orders",
                    "v1",
                    9,
                    1,
                    9,
                    new java.util.TreeMap<>(java.util.Map.of(0.025, 9L)))));
    kit.controlPlane().traffic().sample();
    admin("GET", "/admin/traffic?node=node-1");
    admin("GET", "/admin/traffic?node=ghost");
  }

  private AdminKit.Reply post(String path, String json) throws Exception {
    return call("POST", path, AdminKit.ADMIN_TOKEN, "application/json", json);
  }

  private AdminKit.Reply put(String path, String json) throws Exception {
    return call("PUT", path, AdminKit.ADMIN_TOKEN, "application/json", json);
  }

  private AdminKit.Reply asTenant(String method, String path, String key, String json)
      throws Exception {
    return call(
        method, path, null, json == null ? null : "application/json", json, "X-Api-Key", key);
  }

  /** A tenant's module upload: the body is the module, {@code digest} its Content-Digest. */
  private void upload(String path, String key, byte[] module, String digest) throws Exception {
    var reply =
        kit.asTenant("PUT", path, key, "application/wasm", module, "Content-Digest", digest);
    contract.check("PUT", path, reply);
  }

  /** An admin's request without a body. */
  private AdminKit.Reply admin(String method, String path) throws Exception {
    return call(method, path, AdminKit.ADMIN_TOKEN, null, null);
  }

  /** An admin's write naming the entity tag it saw. */
  private AdminKit.Reply ifMatch(
      String method, String path, String contentType, String body, String etag) throws Exception {
    return call(method, path, AdminKit.ADMIN_TOKEN, contentType, body, "If-Match", etag);
  }

  /** Sends a request, checks its answer against the document and returns it. */
  private AdminKit.Reply call(
      String method, String path, String token, String contentType, String body, String... headers)
      throws Exception {
    var reply = kit.send(method, path, token, contentType, body, headers);
    contract.check(method, path, reply);
    return reply;
  }
}
