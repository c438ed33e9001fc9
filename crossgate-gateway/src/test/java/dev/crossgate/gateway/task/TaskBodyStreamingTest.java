package dev.crossgate.gateway.task;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.ByteStreams;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.store.TestDatabases;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large task bodies never sit whole in the heap: a result above the spool threshold is written to a
 * file as it arrives and streamed back from it, byte for byte; a result crossing the limit while
 * streaming is refused and leaves no file behind. The gateway module's tests run with {@code
 * -Xmx256m}, and the buffer budget here is far below the bodies, so holding one whole would fail
 * the request.
 */
class TaskBodyStreamingTest {
  @TempDir Path dataDir;
  private TestDatabases.Handle db;
  private GatewayKit kit;

  private void start(long maxResultBytes) {
    db = TestDatabases.open("h2");
    var limits = GatewayOptions.Limits.DEFAULT.withTenantBounds(0, 1 << 20);
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1).withLimits(limits),
            new GatewayServices(
                db.database(),
                TaskOptions.defaults(dataDir).withLimits(16 << 20, maxResultBytes, 256 << 10)));
    kit.routes(route("def", "/def", kit.target("/analyse")).async().build());
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

  private String resultPath(String taskId) {
    var resultUrl = URI.create(kit.upstream.next().headers().get(CrossgateHeaders.RESULT_URL));
    assertThat(resultUrl.getPath()).contains(taskId);
    return resultUrl.getRawPath() + "?" + resultUrl.getRawQuery();
  }

  @Test
  void aResultLargerThanTheBufferBudgetIsSpooledStoredAndStreamedBackIntact() throws Exception {
    start(64 << 20);
    var key = kit.apiKey("acme");
    var taskId =
        kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", key)
            .json()
            .get("taskId")
            .toString();
    var body = new byte[24 << 20];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31 + (i >>> 11));
    }

    var path = resultPath(taskId);
    int posted =
        GatewayKit.await(
            kit.client()
                .request(HttpMethod.POST, path)
                .compose(
                    req ->
                        req.putHeader("Content-Type", "application/octet-stream")
                            .send(Buffer.buffer(body)))
                .map(resp -> resp.statusCode()));
    var result =
        GatewayKit.await(
            kit.client()
                .request(HttpMethod.GET, "/_tasks/" + taskId + "/result")
                .compose(req -> req.putHeader("X-Api-Key", key).send())
                .compose(
                    resp ->
                        resp.body()
                            .map(
                                b ->
                                    new Object[] {
                                      resp.statusCode(), resp.getHeader("Content-Length"), b
                                    })));

    assertThat(posted).isEqualTo(204);
    assertThat(result[0]).isEqualTo(200);
    assertThat(result[1]).isEqualTo(String.valueOf(body.length));
    assertThat(sha256(((Buffer) result[2]).getBytes())).isEqualTo(sha256(body));
    assertThat(files("spool_")).as("the spool file became the result blob").isEmpty();
    assertThat(files(taskId + "."))
        .singleElement()
        .satisfies(f -> assertThat(f.getFileName().toString()).endsWith(".result"));
  }

  @Test
  void aResultCrossingTheLimitWhileStreamingIs413AndLeavesNoFile() throws Exception {
    start(2 << 20);
    var key = kit.apiKey("acme");
    var taskId =
        kit.send(HttpMethod.POST, "/async/def", "x", "X-Api-Key", key)
            .json()
            .get("taskId")
            .toString();
    var path = resultPath(taskId);

    int status =
        GatewayKit.await(
            kit.client()
                .request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path))
                .compose(
                    req -> {
                      req.setChunked(true);
                      var response = req.response();
                      ByteStreams.write(req, 8 << 20).onSuccess(v -> req.end());
                      return response;
                    })
                .map(resp -> resp.statusCode())
                .otherwise(413));

    assertThat(status).isEqualTo(413);
    assertThat(kit.get("/_tasks/" + taskId, "X-Api-Key", key).json())
        .containsEntry("status", "RUNNING");
    org.awaitility.Awaitility.await().until(() -> files("spool_").isEmpty());
  }

  @Test
  void aLargeRequestBodyIsSpooledForwardedFromItsFileAndRemovedWithTheTask() throws Exception {
    start(64 << 20);
    var key = kit.apiKey("acme");
    var body = "b".repeat(12 << 20);

    var accepted = kit.send(HttpMethod.POST, "/async/def", body, "X-Api-Key", key);
    var atUpstream = kit.upstream.next();
    var taskId = accepted.json().get("taskId").toString();
    var keptWhileRunning = files(taskId + ".request");
    var released = kit.send(HttpMethod.DELETE, "/_tasks/" + taskId, null, "X-Api-Key", key);

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(atUpstream.bodyBytes()).isEqualTo(12 << 20);
    assertThat(atUpstream.headers().get("Content-Length")).isEqualTo(String.valueOf(12 << 20));
    assertThat(keptWhileRunning).as("the body is the task's request blob").hasSize(1);
    assertThat(released.status()).isEqualTo(204);
    assertThat(files(taskId)).as("released with its files").isEmpty();
    assertThat(files("spool_")).isEmpty();
  }

  @Test
  void aHeldCallSendsALargeBodyFromItsFileAndALargeAnswerIsStreamedBackWithinPreferWait()
      throws Exception {
    db = TestDatabases.open("h2");
    var limits = GatewayOptions.Limits.DEFAULT.withTenantBounds(0, 1 << 20);
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1).withLimits(limits),
            new GatewayServices(db.database(), TaskOptions.defaults(dataDir)));
    kit.routes(route("slow", "/slow", kit.target("/slow")).held().build());
    // the upstream answers with as many bytes as it received
    kit.upstream.respondWith(
        req ->
            kit.upstream
                .record(req)
                .onSuccess(
                    r ->
                        req.response()
                            .putHeader("Content-Type", "application/octet-stream")
                            .end(Buffer.buffer("a".repeat((int) r.bodyBytes())))));
    var key = kit.apiKey("acme");

    var answer =
        kit.send(
            HttpMethod.POST,
            "/async/slow",
            "c".repeat(6 << 20),
            "X-Api-Key",
            key,
            "Prefer",
            "wait=30");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Preference-Applied")).isEqualTo("wait=30");
    assertThat(answer.body()).hasSize(6 << 20);
    assertThat(kit.upstream.next().bodyBytes()).isEqualTo(6 << 20);
    assertThat(files("spool_")).isEmpty();
  }

  private Stream<Path> filesIn(Path dir) throws IOException {
    return Files.isDirectory(dir) ? Files.list(dir) : Stream.empty();
  }

  private java.util.List<Path> files(String prefix) throws IOException {
    try (var files = filesIn(dataDir.resolve("task-results"))) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
