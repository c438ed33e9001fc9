package dev.crossgate.gateway.proxy;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.ByteStreams;
import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Runs with -Xmx256m (see the module pom): a body held whole anywhere would fail these tests. */
class StreamingTest {
  private static final long BIG = 512L * 1024 * 1024;

  @Test
  void aLargeUploadStreamsThroughWithBoundedMemory() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("up", "/up", kit.target("/sink")).build());

      var status =
          GatewayKit.await(
              kit.client()
                  .request(new RequestOptions().setMethod(HttpMethod.PUT).setURI("/up"))
                  .compose(
                      req -> {
                        req.setChunked(true);
                        var response = req.response();
                        ByteStreams.write(req, BIG).onSuccess(v -> req.end());
                        return response;
                      })
                  .compose(resp -> resp.body().map(b -> resp.statusCode())));
      var at = kit.upstream.next();

      assertThat(status).isEqualTo(200);
      assertThat(at.bodyBytes()).isEqualTo(BIG);
      assertThat(at.headers().get("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
      assertThat(Runtime.getRuntime().maxMemory()).isLessThan(BIG);
    }
  }

  @Test
  void pipelinedRequestsWithAndWithoutBodiesAreEachAnsweredInOrder() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("p", "/p", kit.target("/t")).build());

      // three requests in one write: no body, a body, no body (the last closes the connection)
      var answer =
          kit.raw(
              "GET /p/one HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                  + "POST /p/two HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"
                  + "GET /p/three HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

      assertThat(answer.split("HTTP/1.1 200", -1)).hasSize(4);
      assertThat(answer.indexOf("upstream saw /t/one"))
          .isPositive()
          .isLessThan(answer.indexOf("upstream saw /t/two"));
      assertThat(answer.indexOf("upstream saw /t/two")).isLessThan(answer.indexOf("/t/three"));
      assertThat(kit.upstream.next().bodyBytes()).isZero();
      assertThat(kit.upstream.next().body()).isEqualTo("hello");
      assertThat(kit.upstream.next().uri()).isEqualTo("/t/three");
    }
  }

  @Test
  void aLargeDownloadStreamsThroughWithBoundedMemory() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("down", "/down", kit.target("/source")).build());
      kit.upstream.respondWith(
          req -> {
            var response = req.response().putHeader("Content-Length", Long.toString(BIG));
            ByteStreams.write(response, BIG).onSuccess(v -> response.end());
          });

      var received =
          GatewayKit.await(
              kit.client()
                  .request(new RequestOptions().setURI("/down"))
                  .compose(req -> req.send())
                  .compose(
                      resp -> {
                        assertThat(resp.getHeader("Content-Length")).isEqualTo(Long.toString(BIG));
                        return ByteStreams.count(resp);
                      }));

      assertThat(received).isEqualTo(BIG);
    }
  }

  @Test
  void responseTrailersPassThrough() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("t", "/t", kit.target("/trailers")).build());
      kit.upstream.respondWith(
          req -> req.response().setChunked(true).putTrailer("X-Checksum", "abc").end("body"));

      var trailer =
          GatewayKit.await(
              kit.client()
                  .request(new RequestOptions().setURI("/t"))
                  .compose(req -> req.send())
                  .compose(resp -> resp.body().map(b -> resp.getTrailer("X-Checksum"))));

      assertThat(trailer).isEqualTo("abc");
    }
  }

  @Test
  void expectContinueIsPassedOnAndTheBodyFollowsTheUpstreamsContinue() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("e", "/e", kit.target("/expect")).build());
      kit.upstream.respondWith(
          req -> {
            req.response().writeContinue();
            kit.upstream.recordAndEcho(req);
          });
      var continued = new AtomicBoolean();

      var status =
          GatewayKit.await(
              kit.client()
                  .request(
                      new RequestOptions()
                          .setMethod(HttpMethod.POST)
                          .setURI("/e")
                          .putHeader("Expect", "100-continue")
                          .putHeader("Content-Length", "5"))
                  .compose(
                      req -> {
                        req.continueHandler(
                            v -> {
                              continued.set(true);
                              req.end("hello");
                            });
                        req.writeHead();
                        return req.response();
                      })
                  .compose(resp -> resp.body().map(b -> resp.statusCode())));
      var at = kit.upstream.next();

      assertThat(status).isEqualTo(200);
      assertThat(continued).isTrue();
      assertThat(at.headers().get("Expect")).isEqualTo("100-continue");
      assertThat(at.body()).isEqualTo("hello");
    }
  }

  @Test
  void anHttp10ClientGetsAnUpstreamBodyOfUnknownLengthUntilTheConnectionCloses() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("old", "/old", kit.target("/chunked")).build());
      kit.upstream.respondWith(
          req -> req.response().setChunked(true).end("streamed without a length"));

      var raw = kit.raw("GET /old HTTP/1.0\r\n\r\n");

      assertThat(raw)
          .startsWith("HTTP/1.0 200")
          .doesNotContainIgnoringCase("transfer-encoding: chunked")
          .endsWith("streamed without a length");
    }
  }

  @Test
  void noContentAndNotModifiedResponsesCarryNoChunkedFraming() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("n", "/n", kit.target("/n")).build());
      kit.upstream.respondWith(
          req -> req.response().setStatusCode(req.path().endsWith("304") ? 304 : 204).end());

      var noContent = kit.raw("GET /n/204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      var notModified = kit.raw("GET /n/304 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

      assertThat(noContent)
          .startsWith("HTTP/1.1 204")
          .doesNotContainIgnoringCase("transfer-encoding");
      assertThat(notModified)
          .startsWith("HTTP/1.1 304")
          .doesNotContainIgnoringCase("transfer-encoding");
    }
  }
}
