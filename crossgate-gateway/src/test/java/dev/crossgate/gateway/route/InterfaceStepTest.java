package dev.crossgate.gateway.route;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.RequestChain;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteMatch;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The interface check alone: a call that does not fit its route's interface never reaches the next
 * step.
 */
class InterfaceStepTest {
  private final Vertx vertx = Vertx.vertx();

  /**
   * Held for the test's length: Vert.x closes a client nobody references once it is collected,
   * failing a request in flight with "Resource manager closed".
   */
  private final HttpClient client = vertx.createHttpClient();

  private boolean reachedNext;

  @AfterEach
  void close() {
    GatewayKit.await(vertx.close());
  }

  /**
   * Runs one GET of {@code uri} through: the given route and marker, the interface step, an
   * answering step.
   */
  private String call(Route route, Exchange.Marker marker, String uri) {
    Step matched =
        new Step() {
          @Override
          public Future<Void> onRequest(Exchange exchange, Chain next) {
            exchange.marker(marker);
            exchange.match(new RouteMatch.Found(route, null, ""));
            return next.proceed(exchange);
          }
        };
    Step upstream =
        new Step() {
          @Override
          public Future<Void> onRequest(Exchange exchange, Chain next) {
            reachedNext = true;
            exchange.respond(200, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("upstream"));
            return Future.succeededFuture();
          }
        };
    var chain =
        new RequestChain(
            List.of(matched, new InterfaceStep(GatewayOptions.Markers.DEFAULT), upstream));
    var server =
        GatewayKit.await(
            vertx
                .createHttpServer()
                .requestHandler(
                    req ->
                        chain.handle(
                            new Exchange(req, GatewayConfig.EMPTY, "rid-1", System.nanoTime())))
                .listen(0, "127.0.0.1"));
    // on one event-loop context: attached from the test thread, a body that arrived first is lost
    var answer = Promise.<String>promise();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                client
                    .request(
                        new RequestOptions()
                            .setHost("127.0.0.1")
                            .setPort(server.actualPort())
                            .setURI(uri))
                    .compose(req -> req.send())
                    .compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b))
                    .onComplete(answer));
    return GatewayKit.await(answer.future());
  }

  @Test
  void theAsyncMarkerOnASyncRouteIsRefusedNamingTheRightMarker() {
    var result =
        call(route("q", "/q", "http://127.0.0.1:1/q").build(), Exchange.Marker.ASYNC, "/q");

    assertThat(result)
        .startsWith("400 ")
        .contains("wrong-marker")
        .contains("call it under the /sync marker");
    assertThat(reachedNext).isFalse();
  }

  @Test
  void theSyncMarkerOnAnAsyncRouteIsRefusedNamingTheRightMarker() {
    var result =
        call(route("d", "/d", "http://127.0.0.1:1/d").async().build(), Exchange.Marker.SYNC, "/d");

    assertThat(result)
        .startsWith("400 ")
        .contains("wrong-marker")
        .contains("call it under the /async marker");
    assertThat(reachedNext).isFalse();
  }

  @Test
  void aMissingAndAnIllTypedParamAreRefusedNamingEach() {
    var declared =
        route("q", "/q", "http://127.0.0.1:1/q").params("city:string", "n:integer").build();

    var result = call(declared, Exchange.Marker.NONE, "/q?n=abc");

    assertThat(result).startsWith("400 ").contains("\"field\":\"city\"", "\"field\":\"n\"");
    assertThat(reachedNext).isFalse();
  }

  @Test
  void aCallThatFitsTheInterfaceProceeds() {
    var declared =
        route("q", "/q", "http://127.0.0.1:1/q").params("city:string", "n:integer").build();

    var result = call(declared, Exchange.Marker.SYNC, "/q?city=Oslo&n=3");

    assertThat(result).isEqualTo("200 upstream");
    assertThat(reachedNext).isTrue();
  }
}
