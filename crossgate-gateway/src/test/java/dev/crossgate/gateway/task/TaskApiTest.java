package dev.crossgate.gateway.task;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.store.TestDatabases;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskApiTest {
  @TempDir Path dataDir;
  private TestDatabases.Handle db;
  private GatewayKit kit;

  private GatewayKit start(String dbKind, TaskOptions options) {
    db = TestDatabases.open(dbKind);
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1),
            new GatewayServices(db.database(), options));
    return kit;
  }

  private GatewayKit start() {
    return start("h2", TaskOptions.defaults(dataDir));
  }

  @AfterEach
  void close() {
    if (kit != null) {
      kit.close();
    }
    if (db != null) {
      db.close();
    }
  }

  /** The path and query of the result URL the gateway handed the upstream. */
  static String resultPath(String resultUrl) {
    var uri = URI.create(resultUrl);
    return uri.getRawPath() + "?" + uri.getRawQuery();
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aCallbackTaskIsStoredForwardedCompletedByTheUpstreamAndReleased(String dbKind) {
    start(dbKind, TaskOptions.defaults(dataDir));
    kit.routes(route("def", "/def", kit.target("/analyse")).async().build());
    var key = kit.apiKey("acme");

    var accepted =
        kit.send(
            HttpMethod.POST,
            "/async/def?x=1",
            "{\"data\":42}",
            "X-Api-Key",
            key,
            "Content-Type",
            "application/json");
    var atUpstream = kit.upstream.next();
    var taskId = accepted.json().get("taskId").toString();
    var running = kit.get("/_tasks/" + taskId, "X-Api-Key", key);
    var posted =
        kit.send(
            HttpMethod.POST,
            resultPath(atUpstream.headers().get(CrossgateHeaders.RESULT_URL)),
            "<done/>",
            "Content-Type",
            "application/xml",
            CrossgateHeaders.RESULT_STATUS,
            "201");
    var done = kit.get("/_tasks/" + taskId, "X-Api-Key", key);
    var result = kit.get("/_tasks/" + taskId + "/result", "X-Api-Key", key);
    var released = kit.send(HttpMethod.DELETE, "/_tasks/" + taskId, null, "X-Api-Key", key);
    var gone = kit.get("/_tasks/" + taskId, "X-Api-Key", key);

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.header("Location")).isEqualTo("/_tasks/" + taskId);
    assertThat(accepted.header("Retry-After")).isEqualTo("2");
    assertThat(taskId).startsWith("tk_").hasSize(25);
    assertThat(atUpstream.uri()).isEqualTo("/analyse?x=1");
    assertThat(atUpstream.body()).isEqualTo("{\"data\":42}");
    assertThat(atUpstream.headers().get(CrossgateHeaders.TASK_ID)).isEqualTo(taskId);
    assertThat(atUpstream.headers().get(CrossgateHeaders.RESULT_URL))
        .contains("/_tasks/" + taskId + "/result?secret=");
    assertThat(atUpstream.headers().get("X-Api-Key")).isNull();
    assertThat(running.json()).containsEntry("status", "RUNNING");
    @SuppressWarnings("unchecked")
    var envelope = (Map<String, Object>) running.json().get("envelope");
    assertThat(envelope)
        .containsEntry("taskId", taskId)
        .containsEntry("requestPath", "/async/def")
        .containsEntry("mode", "ASYNC")
        .containsEntry("params", Map.of("x", "1"));
    assertThat(posted.status()).isEqualTo(204);
    assertThat(done.json()).containsEntry("status", "DONE");
    assertThat(done.json().get("result").toString()).contains("href=/_tasks/" + taskId + "/result");
    assertThat(result.status()).isEqualTo(201);
    assertThat(result.header("Content-Type")).isEqualTo("application/xml");
    assertThat(result.body()).isEqualTo("<done/>");
    assertThat(released.status()).isEqualTo(204);
    assertThat(gone.status()).isEqualTo(404);
  }

  @Test
  void anotherTenantsKeySeesNoTaskAndAnUnknownIdIs404() {
    start();
    kit.routes(route("def", "/def", kit.target("/analyse")).async().build());
    var owner = kit.apiKey("acme");
    var other = kit.apiKey("globex");
    var taskId =
        kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", owner)
            .json()
            .get("taskId")
            .toString();

    var byOther = kit.get("/_tasks/" + taskId, "X-Api-Key", other);
    var deleteByOther = kit.send(HttpMethod.DELETE, "/_tasks/" + taskId, null, "X-Api-Key", other);
    var unknown = kit.get("/_tasks/tk_doesnotexist", "X-Api-Key", owner);
    var withoutKey = kit.get("/_tasks/" + taskId);

    assertThat(byOther.status()).isEqualTo(404);
    assertThat(byOther.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(deleteByOther.status()).isEqualTo(404);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(withoutKey.status()).isEqualTo(401);
    assertThat(kit.get("/_tasks/" + taskId, "X-Api-Key", owner).json())
        .containsEntry("status", "RUNNING");
  }

  @Test
  void aResultIsAcceptedOnceOnlyWithTheSecretAndWithinTheLimit() throws Exception {
    start("h2", TaskOptions.defaults(dataDir).withLimits(1 << 20, 1_000, 100));
    kit.routes(route("def", "/def", kit.target("/analyse")).async().build());
    var key = kit.apiKey("acme");
    var taskId =
        kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", key)
            .json()
            .get("taskId")
            .toString();
    var resultPath = resultPath(kit.upstream.next().headers().get(CrossgateHeaders.RESULT_URL));
    var noSecretPath = "/_tasks/" + taskId + "/result";

    var withoutSecret = kit.send(HttpMethod.POST, noSecretPath, "r");
    var wrongSecret = kit.send(HttpMethod.POST, noSecretPath + "?secret=guess", "r");
    var oversized = kit.send(HttpMethod.POST, resultPath, "y".repeat(1_001));
    var stillRunning = kit.get("/_tasks/" + taskId, "X-Api-Key", key);
    var first =
        kit.send(
            HttpMethod.POST,
            noSecretPath,
            "z".repeat(500),
            CrossgateHeaders.TASK_SECRET,
            URI.create("http://h" + resultPath).getQuery().substring("secret=".length()));
    var second = kit.send(HttpMethod.POST, resultPath, "again");
    var result = kit.get("/_tasks/" + taskId + "/result", "X-Api-Key", key);

    assertThat(withoutSecret.status()).isEqualTo(401);
    assertThat(wrongSecret.status()).isEqualTo(403);
    assertThat(oversized.status()).isEqualTo(413);
    assertThat(oversized.problemType()).isEqualTo("payload-too-large");
    assertThat(stillRunning.json()).containsEntry("status", "RUNNING");
    assertThat(first.status()).isEqualTo(204);
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.problemType()).isEqualTo("task-finished");
    // 500 bytes is above the 100-byte inline limit: the result was spilled to a blob file
    assertThat(result.body()).isEqualTo("z".repeat(500));
    assertThat(resultFiles(taskId)).hasSize(1);
    kit.send(HttpMethod.DELETE, "/_tasks/" + taskId, null, "X-Api-Key", key);
    assertThat(resultFiles(taskId)).isEmpty();
  }

  @Test
  void aResultRequestedBeforeTheUpstreamAnsweredIs409WithRetryAfter() {
    start();
    kit.routes(route("def", "/def", kit.target("/analyse")).async().build());
    var key = kit.apiKey("acme");
    var taskId =
        kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", key)
            .json()
            .get("taskId")
            .toString();

    var early = kit.get("/_tasks/" + taskId + "/result", "X-Api-Key", key);

    assertThat(early.status()).isEqualTo(409);
    assertThat(early.problemType()).isEqualTo("task-unfinished");
    assertThat(early.header("Retry-After")).isNotNull();
  }

  @Test
  void missingAndIllTypedParamsAre400NamingEachParam() {
    start();
    kit.routes(
        route("q", "/q", kit.target("/q"))
            .params("city:string", "n:integer", "exact:boolean?")
            .build());

    var reply = kit.get("/sync/q?n=abc&exact=maybe");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.problemType()).isEqualTo("validation");
    assertThat(reply.body())
        .contains("\"field\":\"city\"", "\"field\":\"n\"", "\"field\":\"exact\"");
    assertThat(kit.upstream.receivedNothing()).isTrue();
    assertThat(kit.get("/sync/q?city=Oslo&n=3").status()).isEqualTo(200);
  }

  @Test
  void theWrongMarkerIs400() {
    start();
    kit.routes(
        route("q", "/q", kit.target("/q")).build(),
        route("def", "/def", kit.target("/def")).async().build());
    var key = kit.apiKey("acme");

    var asyncOnSync = kit.get("/async/q", "X-Api-Key", key);
    var syncOnAsync = kit.get("/sync/def", "X-Api-Key", key);

    assertThat(asyncOnSync.status()).isEqualTo(400);
    assertThat(asyncOnSync.problemType()).isEqualTo("wrong-marker");
    assertThat(syncOnAsync.status()).isEqualTo(400);
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aMalformedEnvelopeIs400AndNoTaskIsCreated() {
    start();
    kit.routes(route("def", "/def", kit.target("/def")).async().build());
    var key = kit.apiKey("acme");

    var notJson =
        kit.send(
            HttpMethod.POST,
            "/async/def",
            "x",
            "X-Api-Key",
            key,
            CrossgateHeaders.ENVELOPE,
            "{nope");
    var otherPath =
        kit.send(
            HttpMethod.POST,
            "/async/def",
            "x",
            "X-Api-Key",
            key,
            CrossgateHeaders.ENVELOPE,
            "{\"requestPath\":\"/async/other\",\"params\":{}}");
    var good =
        kit.send(
            HttpMethod.POST,
            "/async/def",
            "x",
            "X-Api-Key",
            key,
            CrossgateHeaders.ENVELOPE,
            "{\"taskId\":\"agent-1\",\"requestPath\":\"/async/def\",\"params\":{},\"mode\":\"ASYNC\"}");

    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.problemType()).isEqualTo("malformed-envelope");
    assertThat(otherPath.status()).isEqualTo(400);
    assertThat(good.status()).isEqualTo(202);
    assertThat(good.json().get("envelope").toString()).contains("clientTaskId=agent-1");
    assertThat(kit.upstream.next().uri()).isEqualTo("/def");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void anAsyncCallWithoutAKeyIs401() {
    start();
    kit.routes(route("def", "/def", kit.target("/def")).async().build());

    var reply = kit.send(HttpMethod.POST, "/async/def", "x");

    assertThat(reply.status()).isEqualTo(401);
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aHeldTaskCallsTheSlowUpstreamInTheBackgroundAndStoresItsResponse() {
    start();
    var release = new java.util.concurrent.CompletableFuture<Void>();
    kit.upstream.respondWith(
        req ->
            kit.upstream
                .record(req)
                .onSuccess(
                    r ->
                        release.thenRun(
                            () ->
                                req.response()
                                    .putHeader("Content-Type", "text/csv")
                                    .setStatusCode(200)
                                    .end("a,b\n1,2\n"))));
    kit.routes(route("slow", "/slow", kit.target("/report")).held().build());
    var key = kit.apiKey("acme");

    var accepted = kit.send(HttpMethod.POST, "/async/slow?year=2025", "q", "X-Api-Key", key);
    var taskId = accepted.json().get("taskId").toString();
    var atUpstream = kit.upstream.next();
    var whileRunning = kit.get("/_tasks/" + taskId, "X-Api-Key", key);
    release.complete(null);

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(atUpstream.uri()).isEqualTo("/report?year=2025");
    assertThat(atUpstream.headers().get(CrossgateHeaders.RESULT_URL)).isNull();
    assertThat(whileRunning.json()).containsEntry("status", "RUNNING");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(kit.get("/_tasks/" + taskId, "X-Api-Key", key).json())
                    .containsEntry("status", "DONE"));
    var result = kit.get("/_tasks/" + taskId + "/result", "X-Api-Key", key);
    assertThat(result.header("Content-Type")).isEqualTo("text/csv");
    assertThat(result.body()).isEqualTo("a,b\n1,2\n");
  }

  @Test
  void aHeldCallGoesUpstreamWithTheProxysHeaderRules() {
    start();
    kit.routes(route("slow", "/slow", kit.target("/report")).held().build());
    var key = kit.apiKey("acme");

    kit.send(
        HttpMethod.POST,
        "/async/slow",
        "q",
        "X-Api-Key",
        key,
        "Prefer",
        "wait=1",
        "X-Forwarded-For",
        "6.6.6.6");
    var atUpstream = kit.upstream.next();

    assertThat(atUpstream.headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(atUpstream.headers().get("Via")).contains("crossgate");
    assertThat(atUpstream.headers().get(CrossgateHeaders.REQUEST_ID)).isNotNull();
    assertThat(atUpstream.headers().get(CrossgateHeaders.TASK_ID)).startsWith("tk_");
    assertThat(atUpstream.headers().get("Prefer")).isNull();
  }

  @Test
  void aHeldTaskWhoseUpstreamIsUnreachableFailsWith502() {
    start();
    kit.routes(route("slow", "/slow", "http://127.0.0.1:1/report").held().build());
    var key = kit.apiKey("acme");

    var taskId =
        kit.send(HttpMethod.POST, "/async/slow", "x", "X-Api-Key", key)
            .json()
            .get("taskId")
            .toString();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(kit.get("/_tasks/" + taskId, "X-Api-Key", key).json())
                    .containsEntry("status", "FAILED"));
    var result = kit.get("/_tasks/" + taskId + "/result", "X-Api-Key", key);
    assertThat(result.status()).isEqualTo(502);
    assertThat(result.body()).contains("could not connect to the upstream 127.0.0.1:1");
  }

  @Test
  void preferRespondAsyncTurnsASyncCallIntoATaskAndWaitReturnsAQuickResultDirectly() {
    start();
    kit.routes(route("q", "/q", kit.target("/q")).build());
    var key = kit.apiKey("acme");

    var async = kit.get("/sync/q", "X-Api-Key", key, "Prefer", "respond-async");
    var waited = kit.get("/sync/q", "X-Api-Key", key, "Prefer", "respond-async, wait=10");
    var plain = kit.get("/sync/q", "X-Api-Key", key);

    assertThat(async.status()).isEqualTo(202);
    assertThat(async.header("Preference-Applied")).isEqualTo("respond-async");
    assertThat(waited.status()).isEqualTo(200);
    assertThat(waited.body()).isEqualTo("upstream saw /q");
    assertThat(waited.header(CrossgateHeaders.TASK_ID)).startsWith("tk_");
    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.header(CrossgateHeaders.TASK_ID)).isNull();
  }

  @Test
  void aTaskNobodyCollectsExpiresAndIsRemoved() {
    start(
        "h2",
        TaskOptions.defaults(dataDir).withTtl(Duration.ofMillis(300), Duration.ofMillis(100)));
    kit.routes(route("def", "/def", kit.target("/def")).async().build());
    var key = kit.apiKey("acme");

    var taskId =
        kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", key)
            .json()
            .get("taskId")
            .toString();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(kit.get("/_tasks/" + taskId, "X-Api-Key", key).status()).isEqualTo(404));
  }

  @Test
  void interfacesListTheDeclarationsWithModeParamsAndRequestPath() {
    start();
    kit.routes(
        route("q", "/q", kit.target("/q")).params("city:string").build(),
        route("def", "/def", kit.target("/def")).async().build());
    var key = kit.apiKey("acme");

    var listed = kit.get("/_interfaces", "X-Api-Key", key);
    var withoutKey = kit.get("/_interfaces");

    assertThat(listed.status()).isEqualTo(200);
    @SuppressWarnings("unchecked")
    var interfaces = (List<Map<String, Object>>) listed.json().get("interfaces");
    assertThat(interfaces)
        .extracting(i -> i.get("requestPath"))
        .containsExactly("/async/def", "/sync/q");
    assertThat(interfaces).extracting(i -> i.get("mode")).containsExactly("ASYNC", "SYNC");
    assertThat(interfaces.get(1).get("params").toString()).contains("city");
    assertThat(withoutKey.status()).isEqualTo(401);
  }

  @Test
  void aTaskSurvivesAGatewayRestartOnTheSameDatabase() throws Exception {
    start();
    kit.routes(route("def", "/def", kit.target("/def")).async().build());
    var key = kit.apiKey("acme");
    var taskId =
        kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", key)
            .json()
            .get("taskId")
            .toString();
    var resultPath = resultPath(kit.upstream.next().headers().get(CrossgateHeaders.RESULT_URL));
    kit.close();
    kit = null;

    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1),
            new GatewayServices(db.database(), TaskOptions.defaults(dataDir)));
    kit.routes(route("def", "/def", kit.target("/def")).async().build());
    var sameKey = kit.apiKey("acme");
    var posted = kit.send(HttpMethod.POST, resultPath, "after restart");

    assertThat(posted.status()).isEqualTo(204);
    assertThat(kit.get("/_tasks/" + taskId + "/result", "X-Api-Key", sameKey).body())
        .isEqualTo("after restart");
    assertThat(Files.exists(dataDir)).isTrue();
  }

  @Test
  void anUpstreamThatRefusesTheTaskLeavesItFailedWithTheReasonAndTheCallerStillGetsItsTaskId() {
    start();
    kit.upstream.respondWith(
        req -> kit.upstream.record(req).onSuccess(r -> req.response().setStatusCode(500).end()));
    kit.routes(route("def", "/def", kit.target("/def")).async().build());
    var key = kit.apiKey("acme");

    var accepted = kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", key);
    var taskId = accepted.json().get("taskId").toString();
    var status = kit.get("/_tasks/" + taskId, "X-Api-Key", key);
    var result = kit.get("/_tasks/" + taskId + "/result", "X-Api-Key", key);

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(status.json()).containsEntry("status", "FAILED");
    assertThat(result.status()).isEqualTo(502);
    assertThat(result.problemType()).isEqualTo("bad-gateway");
  }

  @Test
  void anUnreachableUpstreamFailsTheTaskWith502() {
    start();
    kit.routes(route("def", "/def", "http://127.0.0.1:1/def").async().build());
    var key = kit.apiKey("acme");

    var taskId =
        kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", key)
            .json()
            .get("taskId")
            .toString();

    assertThat(kit.get("/_tasks/" + taskId, "X-Api-Key", key).json())
        .containsEntry("status", "FAILED");
    assertThat(kit.get("/_tasks/" + taskId + "/result", "X-Api-Key", key).status()).isEqualTo(502);
  }

  @Test
  void callersCannotForgeTheTaskHeadersOnSyncCalls() {
    start();
    kit.routes(route("q", "/q", kit.target("/q")).build());

    kit.get(
        "/q", CrossgateHeaders.TASK_ID, "tk_forged", CrossgateHeaders.RESULT_URL, "http://evil/");

    var atUpstream = kit.upstream.next();
    assertThat(atUpstream.headers().get(CrossgateHeaders.TASK_ID)).isNull();
    assertThat(atUpstream.headers().get(CrossgateHeaders.RESULT_URL)).isNull();
  }

  @Test
  void aClientResubmittingUnderItsOwnTaskIdGetsTheSameTaskAndTheUpstreamSeesItOnce() {
    start();
    kit.routes(route("def", "/def", kit.target("/def")).async().build());
    var key = kit.apiKey("acme");
    var envelope = "{\"taskId\":\"agent-7\",\"requestPath\":\"/async/def\",\"mode\":\"ASYNC\"}";

    var first =
        kit.send(
            HttpMethod.POST,
            "/async/def",
            "x",
            "X-Api-Key",
            key,
            CrossgateHeaders.ENVELOPE,
            envelope);
    kit.upstream.next();
    var again =
        kit.send(
            HttpMethod.POST,
            "/async/def",
            "x",
            "X-Api-Key",
            key,
            CrossgateHeaders.ENVELOPE,
            envelope);

    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().get("taskId")).isEqualTo(first.json().get("taskId"));
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  /** The result blob files of {@code taskId} (one per result attempt, named by the row). */
  private List<Path> resultFiles(String taskId) throws java.io.IOException {
    try (var files = Files.list(dataDir.resolve("task-results"))) {
      return files
          .filter(f -> f.getFileName().toString().startsWith(taskId + "."))
          .filter(f -> f.getFileName().toString().endsWith(".result"))
          .toList();
    }
  }
}
