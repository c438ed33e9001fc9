package dev.crossgate.transfer;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.TestTokens;
import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.store.transfer.TransferRepository;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transfer whose target is a gateway path is delivered through the gateway's own request chain: a
 * real gateway node (routes, API keys, async tasks) with the transfer endpoint mounted, a recording
 * upstream, all over loopback HTTP.
 */
class RouteDeliveryTest {
  private static final int CHUNK = 64 * 1024;

  @TempDir Path dir;
  private TestDatabases.Handle db;
  private TransferEndpoint transfers;
  private static final String INITECH_IDP = "https://idp.initech.example";
  private GatewayKit kit;
  private Upstream upstream;
  private String acme;
  private String globex;

  @BeforeEach
  void start() {
    db = TestDatabases.open("h2");
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1),
            new GatewayServices(db.database(), TaskOptions.defaults(dir)),
            (vertx, config) -> {
              transfers =
                  TransferEndpoint.create(
                      vertx,
                      new TransferRepository(db.database().dataSource()),
                      Harness.testSettings(dir));
              return List.of(transfers);
            });
    upstream =
        new Upstream(
            kit.vertx
                .createHttpServer()
                .requestHandler(
                    request ->
                        request
                            .body()
                            .onSuccess(
                                body -> {
                                  var seen =
                                      new Upstream.Received(
                                          request.method().name(),
                                          request.uri(),
                                          MultiMap.caseInsensitiveMultiMap()
                                              .addAll(request.headers()),
                                          body.getBytes());
                                  upstream.received.add(seen);
                                  request.response().setStatusCode(upstream.status).end("imported");
                                })));
    acme = kit.apiKey("acme");
    globex = kit.apiKey("globex");
  }

  @AfterEach
  void stop() {
    GatewayKit.await(transfers.close());
    kit.close();
    db.close();
  }

  @Test
  void aSyncRoutePathTargetGetsTheFileOnceByteIdenticalThroughTheRoutesVersionAndRewriting() {
    kit.routes(
        route("orders-v1", "/orders", upstream.url("/erp/v1-import"))
            .version("v1", false)
            .keyAuth()
            .build(),
        route("orders-v2", "/orders", upstream.url("/erp/v2-import"))
            .version("v2", true)
            .keyAuth()
            .build());
    var file = Chunks.randomBytes(3 * CHUNK + 777, 11);

    var done = upload("orders-1", file, "/sync/orders/v1/import?batch=7");

    assertThat(done.status()).as(done.body()).isEqualTo(200);
    assertThat(done.json())
        .containsEntry("status", "COMPLETED")
        .containsEntry("delivery", "POST /sync/orders/v1/import?batch=7 → 200");
    assertThat(upstream.received)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.method()).isEqualTo("POST");
              assertThat(r.uri()).isEqualTo("/erp/v1-import/import?batch=7");
              assertThat(r.body()).isEqualTo(file);
              assertThat(r.headers().get("Content-Type")).isEqualTo("application/octet-stream");
              assertThat(r.headers().get("Content-Length"))
                  .isEqualTo(Integer.toString(file.length));
              assertThat(r.headers().get("Repr-Digest")).isEqualTo(Chunks.sha256(file));
              assertThat(r.headers().get("X-Crossgate-Transfer-Id")).isEqualTo("orders-1");
              // the gateway's credentials stay in the gateway
              assertThat(r.headers().names())
                  .noneMatch(name -> name.toLowerCase().startsWith("x-crossgate-internal"))
                  .noneMatch(name -> name.equalsIgnoreCase("X-Api-Key"));
            });
    assertThat(get("/_transfers/orders-1", acme).json())
        .containsEntry("status", "COMPLETED")
        .containsEntry("delivery", "POST /sync/orders/v1/import?batch=7 → 200");
  }

  @Test
  void anAsyncRoutePathTargetBecomesATaskOfTheTransfersTenantWhoseBodyIsTheFile() {
    kit.routes(route("reports", "/reports", upstream.url("/bi/ingest")).async().build());
    upstream.status = 202;
    var file = Chunks.randomBytes(2 * CHUNK + 5, 12);

    var done = upload("report-1", file, "/async/reports/ingest");

    assertThat(done.status()).as(done.body()).isEqualTo(200);
    var delivery = done.json().get("delivery").toString();
    assertThat(delivery)
        .matches(
            "POST /async/reports/ingest → task tk_[\\w-]+ accepted \\(202\\), poll /_tasks/tk_[\\w-]+");
    var taskId = delivery.replaceAll(".*task (tk_[\\w-]+) accepted.*", "$1");
    assertThat(get("/_transfers/report-1", acme).json()).containsEntry("delivery", delivery);
    // a CALLBACK task forwards its stored body to the upstream: that body is the file
    assertThat(upstream.received)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.uri()).isEqualTo("/bi/ingest/ingest");
              assertThat(r.body()).isEqualTo(file);
              assertThat(r.headers().get("X-Crossgate-Task-Id")).isEqualTo(taskId);
            });
    assertThat(get("/_tasks/" + taskId, acme).json())
        .containsEntry("taskId", taskId)
        .containsEntry("status", "RUNNING");
    assertThat(get("/_tasks/" + taskId, globex).status()).isEqualTo(404);
  }

  @Test
  void
      aPathThatMatchesNoRouteFailsTheDeliveryKeepsTheTransferOpenAndARetryAfterTheRouteIsAddedCompletesIt() {
    var file = Chunks.randomBytes(CHUNK + 1, 13);

    var failed = upload("late-1", file, "/sync/ledger/import");

    assertThat(failed.status()).isEqualTo(502);
    assertThat(failed.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(failed.json().get("delivery").toString())
        .startsWith("POST /sync/ledger/import → 404");
    assertThat(get("/_transfers/late-1", acme).json()).containsEntry("status", "OPEN");
    assertThat(upstream.received).isEmpty();

    kit.routes(route("ledger", "/ledger", upstream.url("/books")).build());
    var retried = send(HttpMethod.POST, "/_transfers/late-1/complete", null, acme);

    assertThat(retried.status()).as(retried.body()).isEqualTo(200);
    assertThat(retried.json())
        .containsEntry("status", "COMPLETED")
        .containsEntry("delivery", "POST /sync/ledger/import → 200");
    assertThat(upstream.received)
        .singleElement()
        .satisfies(r -> assertThat(r.body()).isEqualTo(file));
  }

  @Test
  void anUpstreamErrorBehindTheRouteFailsTheDeliveryWithItsStatus() {
    kit.routes(route("ledger", "/ledger", upstream.url("/books")).build());
    upstream.status = 503;

    var failed = upload("err-1", Chunks.randomBytes(100, 14), "/sync/ledger");

    assertThat(failed.status()).isEqualTo(502);
    assertThat(failed.json().get("delivery")).isEqualTo("POST /sync/ledger → 503");
    assertThat(get("/_transfers/err-1", acme).json()).containsEntry("status", "OPEN");
  }

  @Test
  void badTargetsAreRefusedAtCreationNamingTheFieldAndNothingIsStored() {
    var bad =
        List.of(
            "relative/path",
            "/sync/orders/../admin",
            "/sync/./orders",
            "/sync//orders",
            "/" + "a".repeat(TransferTarget.MAX_LENGTH),
            "ftp://files.example/in",
            "/sync/a b",
            "/_tasks/x");

    for (var target : bad) {
      var created =
          send(
              HttpMethod.POST,
              "/_transfers",
              Buffer.buffer(Chunks.descriptor("bad", 10, 10, "\"target\":" + Json.write(target))),
              acme,
              "Content-Type",
              "application/json");
      var tus =
          send(
              HttpMethod.POST,
              "/_tus/",
              null,
              acme,
              "Tus-Resumable",
              "1.0.0",
              "Upload-Length",
              "10",
              "Upload-Metadata",
              "target "
                  + Base64.getEncoder().encodeToString(target.getBytes(StandardCharsets.UTF_8)));

      assertThat(created.status()).as(target).isEqualTo(400);
      assertThat(created.json().get("errors").toString()).as(target).contains("field=target");
      assertThat(tus.status()).as(target).isEqualTo(400);
      assertThat(tus.json().get("errors").toString())
          .as(target)
          .contains("field=Upload-Metadata target");
    }
    assertThat(new TransferRepository(db.database().dataSource()).countRows("transfers")).isZero();
  }

  @Test
  void aTenantThatSignsInWithTokensOnlyGetsItsFileDeliveredToItsRoute() {
    // initech holds no API key: its callers present JWTs of the issuer it registered
    var signing = TestTokens.rsa("initech-1");
    kit.issuer(TestTokens.inlineIssuer("initech", "idp", INITECH_IDP, signing));
    kit.routes(route("ledger", "/ledger", upstream.url("/books")).build());
    var token =
        TestTokens.sign(signing, TestTokens.claims(INITECH_IDP, "crossgate", "alice").build());
    var file = Chunks.randomBytes(CHUNK + 9, 15);

    var done = upload("jwt-1", file, "/sync/ledger/import", token);

    assertThat(done.status()).as(done.body()).isEqualTo(200);
    assertThat(done.json()).containsEntry("delivery", "POST /sync/ledger/import → 200");
    assertThat(upstream.received)
        .singleElement()
        .satisfies(r -> assertThat(r.body()).isEqualTo(file));
    // the transfer is initech's: acme's key does not see it
    assertThat(get("/_transfers/jwt-1", acme).status()).isEqualTo(404);
  }

  @Test
  void aForgedInternalCredentialFromOutsideIs401AndNothingGoesUpstream() {
    kit.routes(route("open", "/open", upstream.url("/in")).build());

    var forged =
        send(
            HttpMethod.POST,
            "/sync/open",
            Buffer.buffer("x"),
            null,
            CrossgateHeaders.INTERNAL_CREDENTIAL,
            "A".repeat(43),
            CrossgateHeaders.INTERNAL_TENANT,
            "acme");
    var tenantOnly =
        send(
            HttpMethod.POST,
            "/sync/open",
            Buffer.buffer("x"),
            null,
            CrossgateHeaders.INTERNAL_TENANT,
            "acme");
    var plain = send(HttpMethod.POST, "/sync/open", Buffer.buffer("x"), null);

    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(tenantOnly.status()).isEqualTo(401);
    assertThat(plain.status()).isEqualTo(200);
    assertThat(upstream.received).hasSize(1);
  }

  // ---- helpers

  /**
   * Creates a native transfer to {@code target}, sends every chunk, and sends the end notification.
   */
  private GatewayKit.Reply upload(String id, byte[] file, String target) {
    return upload(id, file, target, acme);
  }

  /** As {@link #upload(String, byte[], String)}, authenticated by {@code credential}. */
  private GatewayKit.Reply upload(String id, byte[] file, String target, String credential) {
    var created =
        send(
            HttpMethod.POST,
            "/_transfers",
            Buffer.buffer(
                Chunks.descriptor(
                    id,
                    CHUNK,
                    file.length,
                    "\"fileDigest\":\""
                        + Chunks.sha256(file)
                        + "\",\"target\":"
                        + Json.write(target))),
            credential,
            "Content-Type",
            "application/json");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    for (int n = 0; n * CHUNK < file.length; n++) {
      var chunk = Chunks.chunk(file, CHUNK, n);
      var put =
          send(
              HttpMethod.PUT,
              "/_transfers/" + id + "/chunks/" + n,
              Buffer.buffer(chunk),
              credential,
              "Content-Digest",
              Chunks.sha256(chunk));
      assertThat(put.status()).as(put.body()).isEqualTo(200);
    }
    return send(HttpMethod.POST, "/_transfers/" + id + "/complete", null, credential);
  }

  private GatewayKit.Reply get(String uri, String key) {
    return send(HttpMethod.GET, uri, null, key);
  }

  private GatewayKit.Reply send(
      HttpMethod method, String uri, Buffer body, String key, String... headerPairs) {
    var headers = new java.util.ArrayList<>(List.of(headerPairs));
    if (key != null) {
      headers.addAll(0, List.of(credentialHeader(key), credentialValue(key)));
    }
    return kit.sendBytes(method, uri, body, headers.toArray(String[]::new));
  }

  /** A JWT goes as a bearer token, a tenant key as {@code X-Api-Key}. */
  private static String credentialHeader(String credential) {
    return credential.startsWith("eyJ") ? "Authorization" : "X-Api-Key";
  }

  private static String credentialValue(String credential) {
    return credential.startsWith("eyJ") ? "Bearer " + credential : credential;
  }

  /** A route's upstream that keeps every request whole (method, URI, headers, body bytes). */
  private static final class Upstream {
    record Received(String method, String uri, MultiMap headers, byte[] body) {}

    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile int status = 200;
    private final HttpServer server;

    Upstream(HttpServer server) {
      this.server = server;
      GatewayKit.await(server.listen(0, "127.0.0.1"));
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.actualPort() + path;
    }
  }
}
