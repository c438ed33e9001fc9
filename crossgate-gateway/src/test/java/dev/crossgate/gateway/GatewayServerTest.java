package dev.crossgate.gateway;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class GatewayServerTest {

  @Test
  void builtInEndpointsAreServedBeforeRoutingAndHealthIsAnswered() {
    GatewayEndpoint tasks =
        router ->
            router
                .get("/_tasks/:id")
                .handler(ctx -> ctx.response().end("task " + ctx.pathParam("id")));
    try (var kit = GatewayKit.start(GatewayOptions.defaults().withEventLoops(1), List.of(tasks))) {
      kit.routes(route("catch-all", "/", kit.target("/")).build());

      var task = kit.get("/_tasks/t1");
      var health = kit.get("/_health");

      assertThat(task.status()).isEqualTo(200);
      assertThat(task.body()).isEqualTo("task t1");
      assertThat(task.header("X-Request-Id")).isNotBlank();
      // the same body as every role's /healthz
      assertThat(health.body()).isEqualTo("{\"status\":\"up\"}");
      assertThat(kit.upstream.receivedNothing()).isTrue();
    }
  }

  @Test
  void anEndpointReadsARequestBodyThroughItsOwnBodyHandler() {
    GatewayEndpoint echo =
        router ->
            router
                .post("/_echo")
                .handler(io.vertx.ext.web.handler.BodyHandler.create())
                .handler(ctx -> ctx.response().end("got " + ctx.body().asString()));
    try (var kit = GatewayKit.start(GatewayOptions.defaults().withEventLoops(1), List.of(echo))) {

      var reply = kit.send(io.vertx.core.http.HttpMethod.POST, "/_echo", "payload");

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("got payload");
    }
  }

  @Test
  void severalEventLoopsShareOnePort() {
    try (var kit = GatewayKit.start(GatewayOptions.defaults().withEventLoops(3))) {
      kit.routes(route("a", "/a", kit.target("/a")).build());

      for (int i = 0; i < 6; i++) {
        assertThat(kit.get("/a").status()).isEqualTo(200);
      }
    }
  }

  @Test
  void closeLetsAnInFlightRequestFinish() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/held")).build());
      var held = new ConcurrentLinkedQueue<HttpServerRequest>();
      kit.upstream.respondWith(held::add);
      var inFlight = CompletableFuture.supplyAsync(() -> kit.get("/a"));
      Awaitility.await().until(() -> !held.isEmpty());

      var closed = kit.gateway().close();
      held.forEach(r -> r.response().end("finished"));
      GatewayKit.await(closed);

      assertThat(inFlight.join().status()).isEqualTo(200);
      assertThat(inFlight.join().body()).isEqualTo("finished");
    }
  }
}
