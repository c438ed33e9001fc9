package dev.crossgate.gateway.proxy;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.Promise;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.Test;

class WebSocketProxyTest {

  @Test
  void framesAreRelayedBothWaysOnARouteThatAllowsWebSockets() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("ws", "/ws", kit.target("/socket")).websocket().build());
      var client = kit.vertx.createWebSocketClient();

      var echoed =
          GatewayKit.await(
              client
                  .connect(
                      new WebSocketConnectOptions()
                          .setHost("127.0.0.1")
                          .setPort(kit.port())
                          .setURI("/ws/room?x=1"))
                  .compose(
                      ws -> {
                        var reply = Promise.<String>promise();
                        ws.textMessageHandler(reply::tryComplete);
                        ws.writeTextMessage("hello");
                        return reply.future().onComplete(v -> ws.close());
                      }));

      assertThat(echoed).isEqualTo("echo:hello path=/socket/room");
    }
  }

  @Test
  void aRouteWithoutWebSocketsDoesNotUpgrade() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("plain", "/plain", kit.target("/socket")).build());
      var client = kit.vertx.createWebSocketClient();

      var failure =
          GatewayKit.await(
              client
                  .connect(
                      new WebSocketConnectOptions()
                          .setHost("127.0.0.1")
                          .setPort(kit.port())
                          .setURI("/plain"))
                  .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())));
      var at = kit.upstream.next();

      assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
      assertThat(at.headers().get("Upgrade")).isNull();
    }
  }

  @Test
  void anUnreachableWebSocketUpstreamIsBadGateway() {
    int closedPort = GatewayKit.closedPort();
    try (var kit = GatewayKit.start()) {
      kit.routes(route("ws", "/ws", "http://127.0.0.1:" + closedPort).websocket().build());

      var reply =
          kit.get(
              "/ws",
              "Upgrade",
              "websocket",
              "Connection",
              "Upgrade",
              "Sec-WebSocket-Version",
              "13",
              "Sec-WebSocket-Key",
              "dGhlIHNhbXBsZSBub25jZQ==");

      assertThat(reply.status()).isEqualTo(502);
      assertThat(reply.problemType()).isEqualTo("bad-gateway");
    }
  }
}
