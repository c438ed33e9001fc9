package dev.crossgate.gateway.proxy;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class UpstreamFailureTest {

  @Test
  void aRefusedConnectionIsBadGateway() {
    int closedPort = GatewayKit.closedPort();
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", "http://127.0.0.1:" + closedPort + "/x").build());

      var reply = kit.get("/a");

      assertThat(reply.status()).isEqualTo(502);
      assertThat(reply.problemType()).isEqualTo("bad-gateway");
      assertThat(reply.json()).containsKey("requestId");
    }
  }

  @Test
  void anUpstreamThatSendsNoResponseHeadInTimeIsGatewayTimeout() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/slow")).timeouts(1_000, 300, 10_000).build());
      kit.upstream.respondWith(req -> kit.upstream.record(req)); // reads the request, never answers

      var reply = kit.get("/a");

      assertThat(reply.status()).isEqualTo(504);
      assertThat(reply.problemType()).isEqualTo("gateway-timeout");
      assertThat(kit.upstream.next().uri()).isEqualTo("/slow");
    }
  }

  @Test
  void anUpstreamThatStallsMidBodyHasTheClientResponseAbortedAfterTheIdleTimeout() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/stall")).timeouts(1_000, 5_000, 300).build());
      // above the size read whole, so the head is passed on before the body
      var declared = String.valueOf(dev.crossgate.http.ContentLength.SMALL_ANSWER_BYTES + 1);
      kit.upstream.respondWith(
          req -> req.response().putHeader("Content-Length", declared).write("only part"));

      var outcome =
          GatewayKit.await(
              kit.client()
                  .request(new io.vertx.core.http.RequestOptions().setURI("/a"))
                  .compose(req -> req.send())
                  .compose(
                      resp ->
                          resp.body()
                              .map(b -> "complete " + resp.statusCode())
                              .recover(
                                  t ->
                                      io.vertx.core.Future.succeededFuture(
                                          "aborted " + resp.statusCode()))));

      assertThat(outcome).isEqualTo("aborted 200");
      org.awaitility.Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(kit.gateway().metrics().scrape())
                      .contains(
                          "crossgate_upstream_errors_total{kind=\"aborted\",route=\"a\",service=\"svc\",upstream=\"-\",version=\"-\"} 1.0"));
    }
  }

  @Test
  void aSmallBodyThatStallsIsGatewayTimeoutWithNoneOfTheUpstreamsHeaders() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/stall")).timeouts(1_000, 5_000, 300).build());
      kit.upstream.respondWith(
          req ->
              req.response()
                  .putHeader("Content-Length", "100")
                  .putHeader("X-Upstream-Secret", "leaked")
                  .write("only part"));

      var reply = kit.get("/a");

      assertThat(reply.status()).isEqualTo(504);
      assertThat(reply.problemType()).isEqualTo("gateway-timeout");
      assertThat(reply.headers().get("X-Upstream-Secret")).isNull();
      assertThat(reply.headers().get("Content-Type")).isEqualTo("application/problem+json");
    }
  }

  @Test
  void aSmallBodyCutShortByAResetIsBadGateway() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/cut")).build());
      kit.upstream.respondWith(
          req -> {
            req.response().putHeader("Content-Length", "100").write("only part");
            req.connection().close();
          });

      var reply = kit.get("/a");

      assertThat(reply.status()).isEqualTo(502);
      assertThat(reply.problemType()).isEqualTo("bad-gateway");
    }
  }

  @Test
  void anUpstreamThatResetsTheConnectionIsBadGateway() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/reset")).build());
      kit.upstream.respondWith(req -> req.connection().close());

      var reply = kit.get("/a");

      assertThat(reply.status()).isEqualTo(502);
      assertThat(reply.problemType()).isEqualTo("bad-gateway");
    }
  }

  @Test
  void aFullPoolWithAFullWaitQueueAnswers503AtOnce() {
    var options =
        GatewayOptions.defaults()
            .withEventLoops(1)
            .withUpstream(new GatewayOptions.Upstream(1, 0, 60, 300, 30));
    try (var kit = GatewayKit.start(options)) {
      kit.routes(route("a", "/a", kit.target("/held")).build());
      var held = new ConcurrentLinkedQueue<HttpServerRequest>();
      kit.upstream.respondWith(held::add);
      var first = CompletableFuture.supplyAsync(() -> kit.get("/a"));
      org.awaitility.Awaitility.await().until(() -> !held.isEmpty());

      var second = kit.get("/a");
      held.forEach(r -> r.response().end("released"));

      assertThat(second.status()).isEqualTo(503);
      assertThat(second.problemType()).isEqualTo("upstream-busy");
      assertThat(first.join().status()).isEqualTo(200);
    }
  }
}
