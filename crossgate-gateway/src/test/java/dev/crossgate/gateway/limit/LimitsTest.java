package dev.crossgate.gateway.limit;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.ByteStreams;
import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.Test;

class LimitsTest {
  private static GatewayOptions withLimits(GatewayOptions.Limits limits) {
    return GatewayOptions.defaults().withEventLoops(1).withLimits(limits);
  }

  @Test
  void aTooLongRequestTargetIs414() {
    try (var kit =
        GatewayKit.start(withLimits(new GatewayOptions.Limits(100, 16_384, 1 << 20, 0, 0, 0)))) {
      kit.routes(route("a", "/a", kit.target("/a")).build());

      var reply = kit.get("/a?" + "q".repeat(120));

      assertThat(reply.status()).isEqualTo(414);
      assertThat(reply.problemType()).isEqualTo("uri-too-long");
      assertThat(kit.upstream.receivedNothing()).isTrue();
    }
  }

  @Test
  void aRequestLineBeyondTheDecodersLimitIsStillAProblem() {
    try (var kit =
        GatewayKit.start(withLimits(new GatewayOptions.Limits(100, 16_384, 1 << 20, 0, 0, 0)))) {
      var raw = kit.raw("GET /a?" + "q".repeat(1_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");

      assertThat(raw).startsWith("HTTP/1.").contains(" 414 ");
      assertThat(raw).contains("application/problem+json").contains("uri-too-long");
    }
  }

  @Test
  void tooLargeHeadersAre431() {
    try (var kit =
        GatewayKit.start(withLimits(new GatewayOptions.Limits(8_192, 2_048, 1 << 20, 0, 0, 0)))) {
      kit.routes(route("a", "/a", kit.target("/a")).build());

      var reply = kit.get("/a", "X-Big", "b".repeat(2_500));

      assertThat(reply.status()).isEqualTo(431);
      assertThat(reply.problemType()).isEqualTo("header-fields-too-large");
      assertThat(kit.upstream.receivedNothing()).isTrue();
    }
  }

  @Test
  void aDeclaredBodyOverTheRoutesLimitIs413WithoutContactingTheUpstream() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/a")).maxBodyBytes(4).build());

      var reply = kit.send(HttpMethod.POST, "/a", "12345");

      assertThat(reply.status()).isEqualTo(413);
      assertThat(reply.problemType()).isEqualTo("payload-too-large");
      assertThat(reply.json()).containsEntry("limit", 4);
      assertThat(kit.upstream.receivedNothing()).isTrue();
    }
  }

  @Test
  void aChunkedBodyCrossingTheLimitWhileStreamingIs413AndTheUpstreamRequestIsAbandoned() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/a")).maxBodyBytes(1_000_000).build());
      kit.upstream.respondWith(
          req -> kit.upstream.record(req)); // would answer only after the whole body

      var status =
          GatewayKit.await(
              kit.client()
                  .request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/a"))
                  .compose(
                      req -> {
                        req.setChunked(true);
                        var response = req.response();
                        ByteStreams.write(req, 4_000_000).onSuccess(v -> req.end());
                        return response;
                      })
                  .compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b)));

      assertThat(status).startsWith("413 ").contains("payload-too-large");
    }
  }

  @Test
  void theDefaultBodyLimitAppliesToRoutesWithoutOne() {
    try (var kit =
        GatewayKit.start(withLimits(new GatewayOptions.Limits(8_192, 16_384, 3, 0, 0, 0)))) {
      kit.routes(route("a", "/a", kit.target("/a")).build());

      var reply = kit.send(HttpMethod.POST, "/a", "1234");

      assertThat(reply.status()).isEqualTo(413);
    }
  }

  @Test
  void aClientOverItsRequestRateGets429WithRetryAfter() {
    try (var kit =
        GatewayKit.start(withLimits(new GatewayOptions.Limits(8_192, 16_384, 1 << 20, 1, 2, 0)))) {
      kit.routes(route("a", "/a", kit.target("/a")).build());

      var first = kit.get("/a");
      var second = kit.get("/a");
      // the bucket refills one request a second: on a slow machine a third request may find a
      // fresh token, so requests go on until one is refused (they come far faster than 1/s)
      GatewayKit.Reply refused = null;
      for (int i = 0; i < 50 && refused == null; i++) {
        var reply = kit.get("/a");
        if (reply.status() != 200) {
          refused = reply;
        }
      }

      assertThat(first.status()).isEqualTo(200);
      assertThat(second.status()).isEqualTo(200);
      assertThat(refused).isNotNull();
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.problemType()).isEqualTo("too-many-requests");
      assertThat(refused.header("Retry-After")).isEqualTo("1");
    }
  }

  @Test
  void aClientOverItsConnectionLimitGets429AndTheConnectionIsClosed() {
    try (var kit =
        GatewayKit.start(withLimits(new GatewayOptions.Limits(8_192, 16_384, 1 << 20, 0, 0, 1)))) {
      kit.routes(route("a", "/a", kit.target("/a")).build());
      var held = kit.vertx.createNetClient();
      var socket = GatewayKit.await(held.connect(kit.port(), "127.0.0.1"));
      kit.upstream.respondWith(
          req -> kit.upstream.record(req)); // holds the first request's connection open
      socket.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
      org.awaitility.Awaitility.await()
          .until(
              () ->
                  kit.gateway().metrics().get("crossgate_active_connections").gauge().value() == 1);

      var raw = kit.raw("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");

      assertThat(raw)
          .startsWith("HTTP/1.1 429")
          .contains("too-many-requests")
          .contains("connection: close");
      GatewayKit.await(held.close());
    }
  }
}
