package dev.crossgate.gateway.proxy;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.ByteStreams;
import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped Vert.x options: the epoll transport loads on Linux x86-64 and carries the proxy path.
 */
class NativeTransportTest {
  private static final long BODY = 8L * 1024 * 1024;

  @Test
  void theGatewaysVertxOptionsRunOnEpollAndProxyRequestsAndStreamedBodies() {
    var options = GatewayOptions.defaults().withEventLoops(1);
    try (var kit = GatewayKit.start(options, GatewayServer.vertxOptions(options))) {
      kit.routes(
          route("a", "/a", kit.target("/up")).build(),
          route("big", "/big", kit.target("/source")).build());

      var reply = kit.get("/a/x");
      kit.upstream.respondWith(
          req -> {
            var response = req.response().putHeader("Content-Length", Long.toString(BODY));
            ByteStreams.write(response, BODY).onSuccess(v -> response.end());
          });
      var received =
          GatewayKit.await(
              kit.client()
                  .request(new RequestOptions().setURI("/big"))
                  .compose(req -> req.send())
                  .compose(ByteStreams::count));

      assertThat(kit.vertx.isNativeTransportEnabled()).isTrue();
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("upstream saw /up/x");
      assertThat(received).isEqualTo(BODY);
    }
  }
}
