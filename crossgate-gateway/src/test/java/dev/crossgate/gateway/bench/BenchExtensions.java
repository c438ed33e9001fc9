package dev.crossgate.gateway.bench;

import dev.crossgate.auth.Secrets;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.Extension;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.extension.ExtensionOptions;
import dev.crossgate.gateway.kit.ExtensionProtoSchema;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.GrpcTenant;
import dev.crossgate.gateway.kit.TenantServer;
import dev.crossgate.gateway.kit.TestExtensions;
import dev.crossgate.gateway.kit.TestRoutes;
import dev.crossgate.gateway.kit.WatModules;
import dev.crossgate.route.RouteTable;
import dev.crossgate.tenant.ApiKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one extension step adds to a request's latency (bench/extensions/run.sh): the same route and
 * upstream with no flow, with one remote pre-step (a loopback tenant server, pooled connection,
 * over HTTP/1.1, over HTTP/2, and as gRPC to a grpc-java server) and with one local WebAssembly
 * pre-step (cached module, Chicory interpreter; fetched from the tenant's URL, or uploaded to the
 * platform). One client connection sends requests one after another, so each figure is a request's
 * own latency, not a queueing effect.
 *
 * <p>Arguments: {@code [REQUESTS] [WARMUP]}. Prints one line per flow with p50 and p99 in
 * microseconds and the p50/p99 added over the flow without extensions.
 */
public final class BenchExtensions {
  private static final Logger LOG = LoggerFactory.getLogger("crossgate.bench");
  private static final String ANSWER = "{\"request\":{\"headers\":{\"x-checked\":\"yes\"}}}";

  private BenchExtensions() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    var vertx = Vertx.vertx();
    var upstream = vertx.createHttpServer().requestHandler(r -> r.response().end("ok"));
    int upstreamPort = GatewayKit.await(upstream.listen(0, "127.0.0.1")).actualPort();
    var tenant =
        TenantServer.start(vertx)
            .answer("remote", c -> TenantServer.Answer.ok(ANSWER))
            .answer("local", c -> TenantServer.Answer.ok(ANSWER));
    // the same answer as an ExtensionResponse, from a grpc-java server
    var grpcAnswer =
        ExtensionProtoSchema.changeRequest(Map.of("x-checked", "yes"), List.of(), Map.of(), null);
    var grpcTenant =
        GrpcTenant.start(
            (call, observer) -> {
              observer.onNext(grpcAnswer);
              observer.onCompleted();
            });
    var target = "http://127.0.0.1:" + upstreamPort + "/b";
    var key = "bench-key";
    var hash = Secrets.sha256Hex(key);
    var routes =
        List.of(
            TestRoutes.route("none", "/none", target).keyAuth().build(),
            TestRoutes.route("remote", "/remote", target)
                .keyAuth()
                .flow("ext:remote", "proxy")
                .build(),
            TestRoutes.route("local", "/local", target)
                .keyAuth()
                .flow("ext:local", "proxy")
                .build(),
            TestRoutes.route("remote-h2", "/remote-h2", target)
                .keyAuth()
                .flow("ext:remote-h2", "proxy")
                .build(),
            TestRoutes.route("remote-grpc", "/remote-grpc", target)
                .keyAuth()
                .flow("ext:remote-grpc", "proxy")
                .build(),
            TestRoutes.route("uploaded", "/uploaded", target)
                .keyAuth()
                .flow("ext:uploaded", "proxy")
                .build());
    var module = WatModules.answering(ANSWER);
    var extensions =
        List.of(
            extension(tenant, "remote", Extension.Protocol.HTTP, null),
            extension(tenant, "remote-h2", Extension.Protocol.HTTP2, null),
            TestExtensions.of(
                "acme",
                "remote-grpc",
                "request",
                grpcTenant.endpoint(),
                Extension.Protocol.GRPC,
                Extension.FailurePolicy.FAIL_CLOSED,
                new Extension.Version("v1", 1, null)),
            extension(
                tenant, "local", Extension.Protocol.HTTP, tenant.artifact("local.wasm", module)),
            extension(
                tenant,
                "uploaded",
                Extension.Protocol.HTTP,
                Extension.Artifact.hosted(ArtifactCheck.sha256(module))));
    var config =
        new GatewayConfig(
            1,
            RouteTable.of(routes, 1),
            List.of(),
            Map.of(hash, new ApiKey("k1", "acme", null, hash, "bench", Instant.now())),
            extensions,
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            java.util.Map.of());
    // the tenant server is on loopback, which the egress policy refuses unless allowed
    var options =
        GatewayOptions.defaults()
            .withListen("127.0.0.1", 0)
            .withEventLoops(1)
            .withEgress(dev.crossgate.egress.EgressPolicy.allowing("127.0.0.1/32"));
    var gateway =
        GatewayKit.await(
            GatewayServer.start(
                vertx,
                options,
                () -> config,
                List.of(),
                // the uploaded module as a control plane would hand it out, by digest
                ExtensionOptions.defaults(null)
                    .withHostedModules(sha256 -> Future.succeededFuture(Buffer.buffer(module)))));
    var client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(gateway.port())
                .setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(1));

    long[] none = null;
    for (var flow : List.of("none", "remote", "remote-h2", "remote-grpc", "local", "uploaded")) {
      measure(client, "/" + flow, key, warmup);
      var micros = measure(client, "/" + flow, key, requests);
      Arrays.sort(micros);
      if (none == null) {
        none = micros;
      }
      LOG.info(
          "bench flow={} requests={} p50us={} p99us={} addedP50us={} addedP99us={}",
          flow,
          requests,
          pct(micros, 50),
          pct(micros, 99),
          pct(micros, 50) - pct(none, 50),
          pct(micros, 99) - pct(none, 99));
    }
    LOG.info(
        "bench tenantCalls remote={} remote-h2={} remote-grpc={} local={}",
        tenant.calls("remote").size(),
        tenant.calls("remote-h2").size(),
        grpcTenant.calls().size(),
        tenant.calls("local").size());
    grpcTenant.close();
    GatewayKit.await(gateway.close());
    GatewayKit.await(vertx.close());
  }

  private static long[] measure(
      io.vertx.core.http.HttpClient client, String path, String key, int count) {
    var out = new long[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      int status =
          GatewayKit.await(
              client
                  .request(
                      new RequestOptions()
                          .setMethod(HttpMethod.GET)
                          .setURI(path)
                          .addHeader("X-Api-Key", key))
                  .compose(
                      req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode()))));
      out[i] = (System.nanoTime() - start) / 1_000;
      if (status != 200) {
        throw new IllegalStateException(path + " answered " + status);
      }
    }
    return out;
  }

  private static long pct(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  private static Extension extension(
      TenantServer tenant, String id, Extension.Protocol protocol, Extension.Artifact artifact) {
    return TestExtensions.of(
        "acme",
        id,
        "request",
        artifact != null && artifact.isHosted() ? null : tenant.endpoint(id),
        protocol,
        Extension.FailurePolicy.FAIL_CLOSED,
        new Extension.Version("v1", 1, artifact));
  }
}
