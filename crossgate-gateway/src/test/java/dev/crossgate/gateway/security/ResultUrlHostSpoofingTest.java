package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.store.TestDatabases;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The result URL handed to an async CALLBACK upstream carries the task's secret. It used to be
 * built from the caller's {@code Host} header, so {@code Host: collector.evil.example} made the
 * upstream post the result — and the secret — to the caller's collector. It now comes from {@code
 * --public-url}, or the loopback bind, and never from the request.
 */
class ResultUrlHostSpoofingTest {
  @TempDir Path dir;
  private TestDatabases.Handle db;
  private GatewayKit kit;
  private String key;

  private void start(GatewayOptions options, String bind) {
    db = TestDatabases.open("h2");
    kit =
        GatewayKit.start(
            options.withEventLoops(1),
            new GatewayServices(db.database(), TaskOptions.defaults(dir)),
            new VertxOptions(),
            bind,
            (vertx, config) -> List.of());
    kit.routes(route("def", "/def", kit.target("/analyse")).async().build());
    key = kit.apiKey("acme");
  }

  @AfterEach
  void stop() {
    kit.close();
    db.close();
  }

  @Test
  void aSpoofedHostHeaderDoesNotChooseWhereTheUpstreamPostsTheResult() {
    start(GatewayOptions.defaults(), "127.0.0.1");

    var reply =
        kit.raw(
            "POST /async/def HTTP/1.1\r\nHost: collector.evil.example\r\nX-Api-Key: "
                + key
                + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    var atUpstream = kit.upstream.next();

    assertThat(reply).startsWith("HTTP/1.1 202");
    assertThat(atUpstream.headers().get(CrossgateHeaders.RESULT_URL))
        .startsWith("http://127.0.0.1:" + kit.port() + "/_tasks/")
        .doesNotContain("evil");
  }

  @Test
  void thePublicUrlIsTheBaseOfTheResultUrlWhateverTheHost() {
    start(GatewayOptions.defaults().withPublicUrl("https://api.example.com/"), "127.0.0.1");

    kit.raw(
        "POST /async/def HTTP/1.1\r\nHost: collector.evil.example\r\nX-Api-Key: "
            + key
            + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    var atUpstream = kit.upstream.next();

    assertThat(atUpstream.headers().get(CrossgateHeaders.RESULT_URL))
        .startsWith("https://api.example.com/_tasks/");
  }

  @Test
  void aGatewayBoundBeyondLoopbackWithoutPublicUrlRefusesCallbackTasksWith503AndCallsNoUpstream() {
    start(GatewayOptions.defaults(), "0.0.0.0");

    var reply =
        kit.raw(
            "POST /async/def HTTP/1.1\r\nHost: collector.evil.example\r\nX-Api-Key: "
                + key
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    assertThat(reply)
        .startsWith("HTTP/1.1 503")
        .contains("public-url-required")
        .contains("--public-url")
        .doesNotContain("evil");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }
}
