package dev.crossgate.gateway.flow;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.extension.Extension;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.TestExtensions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code protocol: HTTP2}: the platform calls a tenant's extension over one multiplexed h2c
 * connection, however many calls are in flight at once. The tenant here holds every answer until
 * {@link #CONCURRENT} calls are open together, so the calls really overlap: over HTTP/1.1 that
 * takes as many connections, over HTTP/2 one.
 */
class Http2ExtensionTest {
  private static final int CONCURRENT = 10;

  private final GatewayKit kit = GatewayKit.startWithLoopbackTenants();
  private final AtomicInteger connections = new AtomicInteger();
  private final Set<HttpVersion> versions = ConcurrentHashMap.newKeySet();
  private final List<Promise<Void>> held = new CopyOnWriteArrayList<>();
  private final HttpServer tenant =
      GatewayKit.await(
          kit.vertx
              .createHttpServer(
                  new HttpServerOptions().setHost("127.0.0.1").setHttp2ClearTextEnabled(true))
              .connectionHandler(c -> connections.incrementAndGet())
              .requestHandler(
                  request -> {
                    versions.add(request.version());
                    var answer = Promise.<Void>promise();
                    answer
                        .future()
                        .onSuccess(
                            v ->
                                request
                                    .response()
                                    .putHeader("content-type", "application/json")
                                    .end(
                                        "{\"request\":{\"headers\":{\"x-via\":\""
                                            + request.version()
                                            + "\"}}}"));
                    held.add(answer);
                    if (held.size() >= CONCURRENT) {
                      held.forEach(Promise::tryComplete);
                    }
                  })
              .listen(0));

  @AfterEach
  void close() {
    GatewayKit.await(tenant.close());
    kit.close();
  }

  @Test
  void concurrentHttp2CallsShareOneConnectionToTheTenantAndLaterCallsReuseIt() {
    givenExtension(Extension.Protocol.HTTP2);

    var statuses = callConcurrently();
    held.clear();
    var later = callConcurrently();

    assertThat(statuses).hasSize(CONCURRENT).containsOnly(200);
    assertThat(later).hasSize(CONCURRENT).containsOnly(200);
    assertThat(versions).containsExactly(HttpVersion.HTTP_2);
    assertThat(connections.get()).isEqualTo(1);
    assertThat(kit.upstream.next().headers().get("x-via")).isEqualTo("HTTP_2");
  }

  @Test
  void theSameConcurrentCallsOverHttp1NeedAConnectionEach() {
    givenExtension(Extension.Protocol.HTTP);

    var statuses = callConcurrently();

    assertThat(statuses).hasSize(CONCURRENT).containsOnly(200);
    assertThat(versions).containsExactly(HttpVersion.HTTP_1_1);
    assertThat(connections.get()).isEqualTo(CONCURRENT);
  }

  private List<Integer> callConcurrently() {
    var calls = new ArrayList<Future<Integer>>();
    for (int i = 0; i < CONCURRENT; i++) {
      calls.add(
          kit.client()
              .request(io.vertx.core.http.HttpMethod.GET, "/h2")
              .compose(r -> r.send())
              .compose(r -> r.body().map(b -> r.statusCode())));
    }
    GatewayKit.await(Future.join(calls));
    return calls.stream().map(Future::result).toList();
  }

  private void givenExtension(Extension.Protocol protocol) {
    kit.extensions(
        TestExtensions.remote(
            "acme",
            "mux",
            "request",
            "http://127.0.0.1:" + tenant.actualPort() + "/ext/mux",
            protocol));
    kit.routes(route("h2", "/h2", kit.target("/b")).flow("ext:acme/mux", "proxy").build());
  }
}
