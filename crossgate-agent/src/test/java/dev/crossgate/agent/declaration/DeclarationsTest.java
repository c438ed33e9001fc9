package dev.crossgate.agent.declaration;

import static dev.crossgate.agent.kit.Futures.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.route.Route;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's view of the gateway's {@code GET /_interfaces}, from a loopback gateway that answers
 * as told.
 */
class DeclarationsTest {
  private static final String TWO_INTERFACES =
      "{\"revision\":3,\"markers\":{\"sync\":\"/s\",\"async\":\"/a\"},"
          + "\"interfaces\":["
          + "{\"id\":\"all\",\"service\":\"shop\",\"sourcePath\":\"/shop\",\"requestPath\":\"/s/shop\",\"mode\":\"SYNC\","
          + "\"params\":[],\"auth\":\"KEY\"},"
          + "{\"id\":\"report\",\"sourcePath\":\"/shop/report\",\"requestPath\":\"/a/shop/report\",\"mode\":\"ASYNC\","
          + "\"asyncExecution\":\"CALLBACK\",\"params\":[{\"name\":\"city\",\"type\":\"string\",\"required\":true}],"
          + "\"someFutureField\":true}]}";

  private final Vertx vertx = Vertx.vertx();
  private final AtomicReference<String[]> answer =
      new AtomicReference<>(new String[] {"200", TWO_INTERFACES});
  private final List<String> keys = new CopyOnWriteArrayList<>();
  private HttpServer gateway;
  private HttpClient client;
  private Declarations declarations;

  @BeforeEach
  void start() {
    gateway =
        join(
            vertx
                .createHttpServer()
                .requestHandler(
                    request -> {
                      keys.add(request.getHeader(CrossgateHeaders.API_KEY));
                      var status = Integer.parseInt(answer.get()[0]);
                      request
                          .response()
                          .setStatusCode(request.path().equals("/_interfaces") ? status : 404)
                          .putHeader("Content-Type", "application/json")
                          .end(answer.get()[1]);
                    })
                .listen(0, "127.0.0.1"));
    client = vertx.createHttpClient();
    declarations =
        new Declarations(client, "http://127.0.0.1:" + gateway.actualPort(), "agent-key");
  }

  @AfterEach
  void stop() {
    join(vertx.close());
  }

  @Test
  void theMostSpecificDeclarationClassifiesACallerPathWithOrWithoutAMarker() {
    refresh();

    var report = declarations.classify(null, "/a/shop/report/2026");
    var bare = declarations.classify(null, "/shop/report");
    var shop = declarations.classify(null, "/s/shop/items");

    assertThat(report.declaration().id()).isEqualTo("report");
    assertThat(report.declaration().mode()).isEqualTo(Route.Mode.ASYNC);
    assertThat(report.declaration().params())
        .containsExactly(new Route.Param("city", "string", true));
    assertThat(report.remainder()).isEqualTo("/2026");
    assertThat(bare.declaration().id()).isEqualTo("report");
    assertThat(bare.remainder()).isEmpty();
    assertThat(shop.declaration().id()).isEqualTo("all");
    assertThat(shop.remainder()).isEqualTo("/items");
    assertThat(declarations.classify(null, "/shopping")).isNull();
    assertThat(declarations.classify(null, "/other")).isNull();
    assertThat(keys).containsExactly("agent-key");
  }

  @Test
  void aFailedRefreshKeepsTheLastGoodDeclarations() {
    refresh();
    answer.set(new String[] {"503", "{\"title\":\"Service Unavailable\"}"});

    var failed = declarations.refresh();
    join(failed.otherwiseEmpty());

    assertThat(failed.failed()).isTrue();
    assertThat(declarations.all()).extracting(d -> d.id()).containsExactly("report", "all");
    assertThat(declarations.classify(null, "/a/shop/report").declaration().id())
        .isEqualTo("report");
  }

  @Test
  void aGatewayThatNoLongerDeclaresAnInterfaceTakesItAway() {
    refresh();
    answer.set(new String[] {"200", "{\"interfaces\":[]}"});

    refresh();

    assertThat(declarations.all()).isEmpty();
    assertThat(declarations.classify(null, "/shop")).isNull();
  }

  /**
   * Refreshes on an event loop, as the agent's timer does: run from the test thread, a fast answer
   * can end before its body is asked for, and the body is lost.
   */
  private void refresh() {
    var done = io.vertx.core.Promise.<Void>promise();
    vertx.getOrCreateContext().runOnContext(v -> declarations.refresh().onComplete(done));
    join(done.future());
  }
}
