package dev.crossgate.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdleGuardedStreamTest {
  private Vertx vertx;
  private HttpClient client;
  private int port;

  @BeforeEach
  void startServer() {
    vertx = Vertx.vertx();
    var server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(
                req -> {
                  if (req.path().equals("/stall")) {
                    req.response()
                        .putHeader("Content-Length", "100")
                        .write("only part"); // and never the rest
                  } else {
                    req.response().end("four");
                  }
                });
    port = await(server.listen()).actualPort();
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  private HttpClientResponse pausedResponse() {
    return pausedResponse("/");
  }

  private HttpClientResponse pausedResponse(String uri) {
    if (client == null) {
      // a field: Vert.x closes a client nobody references once it is collected, mid-body included
      client = vertx.createHttpClient();
    }
    return await(
        client
            .request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
            .compose(req -> req.send())
            .map(
                resp -> {
                  resp.pause();
                  return resp;
                }));
  }

  @Test
  void clearingTheHandlersOfAnEndedResponseIsQuiet() {
    var idle = new AtomicInteger();
    var response = pausedResponse();
    var stream = new IdleGuardedStream(response, vertx, 60_000, idle::incrementAndGet);
    var ended = Promise.<Integer>promise();
    var bytes = new AtomicInteger();
    stream.handler(b -> bytes.addAndGet(b.length()));
    stream.endHandler(v -> ended.complete(bytes.get()));
    stream.resume();
    assertThat(await(ended.future())).isEqualTo(4);

    // what Pipe does once the body is through: each used to throw (and allocate) an
    // IllegalStateException
    assertThatCode(
            () -> {
              stream.handler(null);
              stream.exceptionHandler(null);
              stream.endHandler(null);
            })
        .doesNotThrowAnyException();
  }

  @Test
  void theIdleTimerStopsWhenTheBodyEndsEvenWithNoEndHandler() {
    var idle = new AtomicInteger();
    var response = pausedResponse();
    var stream = new IdleGuardedStream(response, vertx, 50, idle::incrementAndGet);
    var drained = new AtomicInteger();

    // the chain's discard path: read and drop, no end handler of its own
    stream.handler(b -> drained.addAndGet(b.length()));
    stream.resume();

    Awaitility.await().until(() -> drained.get() == 4);
    Awaitility.await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> idle.get() == 0);
  }

  @Test
  void anUpstreamThatStallsMidBodyIsAbandonedAfterTheIdleTimeoutOnceTheReaderResumed() {
    var idle = new AtomicInteger();
    var response = pausedResponse("/stall");
    var stream = new IdleGuardedStream(response, vertx, 100, idle::incrementAndGet);
    var received = new AtomicInteger();

    stream.handler(b -> received.addAndGet(b.length()));
    stream.resume();

    Awaitility.await().until(() -> idle.get() == 1);
    assertThat(received.get()).isEqualTo("only part".length());
  }

  @Test
  void aWholeBodyIsReadOrFailsWithATimeoutWhenTheSenderStalls() {
    var response = pausedResponse();
    assertThat(await(new IdleGuardedStream(response, vertx, 60_000, () -> {}).body()))
        .hasToString("four");

    var stalled = pausedResponse("/stall");
    var body = new IdleGuardedStream(stalled, vertx, 100, () -> stalled.request().reset()).body();
    Awaitility.await().until(body::isComplete);
    assertThat(body.cause()).isInstanceOf(TimeoutException.class).hasMessageContaining("100 ms");
  }
}
