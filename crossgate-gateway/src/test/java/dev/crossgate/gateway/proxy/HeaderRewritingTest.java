package dev.crossgate.gateway.proxy;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderRewritingTest {

  @Test
  void hopByHopHeadersAreRemovedAndForwardingHeadersAdded() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/up")).build());

      var reply =
          kit.get(
              "/a",
              "Connection",
              "keep-alive, X-Secret-Hop",
              "X-Secret-Hop",
              "1",
              "Keep-Alive",
              "timeout=5",
              "TE",
              "trailers",
              "Proxy-Authorization",
              "Basic eA==",
              "X-Custom",
              "kept",
              "Host",
              "shop.example.com");
      var at = kit.upstream.next();

      assertThat(reply.status()).isEqualTo(200);
      assertThat(at.headers().names())
          .doesNotContain("X-Secret-Hop", "Keep-Alive", "TE", "Proxy-Authorization");
      assertThat(at.headers().get("X-Custom")).isEqualTo("kept");
      assertThat(at.headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
      assertThat(at.headers().get("X-Forwarded-Proto")).isEqualTo("http");
      assertThat(at.headers().get("X-Forwarded-Host")).isEqualTo("shop.example.com");
      assertThat(at.headers().get("Forwarded"))
          .isEqualTo("for=127.0.0.1;proto=http;host=shop.example.com");
      assertThat(at.headers().get("Via")).isEqualTo("1.1 crossgate");
      assertThat(at.headers().get("X-Request-Id"))
          .isNotBlank()
          .isEqualTo(reply.header("X-Request-Id"));
    }
  }

  @Test
  void aCallersRequestIdIsPassedOnAndAnUnsafeOneReplaced() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/up")).build());

      var kept = kit.get("/a", "X-Request-Id", "abc-123");
      var keptAt = kit.upstream.next();
      var replaced = kit.get("/a", "X-Request-Id", "bad id\"<script>");
      var replacedAt = kit.upstream.next();

      assertThat(kept.header("X-Request-Id")).isEqualTo("abc-123");
      assertThat(keptAt.headers().get("X-Request-Id")).isEqualTo("abc-123");
      assertThat(replaced.header("X-Request-Id")).matches("[0-9a-f]{32}");
      assertThat(replacedAt.headers().get("X-Request-Id"))
          .isEqualTo(replaced.header("X-Request-Id"));
    }
  }

  @Test
  void forwardingHeadersFromAnUntrustedClientAreReplacedNotBelieved() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/up")).build());

      kit.get(
          "/a",
          "X-Forwarded-For",
          "6.6.6.6",
          "Forwarded",
          "for=6.6.6.6",
          "X-Forwarded-Proto",
          "https");
      var at = kit.upstream.next();

      assertThat(at.headers().getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
      assertThat(at.headers().get("Forwarded")).startsWith("for=127.0.0.1;");
      assertThat(at.headers().get("X-Forwarded-Proto")).isEqualTo("http");
    }
  }

  @Test
  void behindATrustedProxyTheChainIsExtended() {
    var options =
        GatewayOptions.defaults().withEventLoops(1).withTrustedProxies(List.of("127.0.0.0/8"));
    try (var kit = GatewayKit.start(options)) {
      kit.routes(route("a", "/a", kit.target("/up")).build());

      kit.get(
          "/a", "X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https", "Via", "1.1 edge");
      var at = kit.upstream.next();

      assertThat(at.headers().get("X-Forwarded-For")).isEqualTo("203.0.113.9, 127.0.0.1");
      assertThat(at.headers().get("X-Forwarded-Proto")).isEqualTo("https");
      assertThat(at.headers().get("Via")).isEqualTo("1.1 edge, 1.1 crossgate");
    }
  }

  @Test
  void hopByHopHeadersOfTheUpstreamResponseAreRemovedAndViaAdded() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("a", "/a", kit.target("/up")).build());
      kit.upstream.respondWith(
          req ->
              req.response()
                  .putHeader("Connection", "X-Internal")
                  .putHeader("X-Internal", "secret")
                  .putHeader("Keep-Alive", "timeout=5")
                  .putHeader("X-App", "yes")
                  .end("ok"));

      var reply = kit.get("/a");

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("ok");
      assertThat(reply.headers().names()).doesNotContain("X-Internal", "Keep-Alive");
      assertThat(reply.header("X-App")).isEqualTo("yes");
      assertThat(reply.header("Via")).isEqualTo("1.1 crossgate");
    }
  }
}
