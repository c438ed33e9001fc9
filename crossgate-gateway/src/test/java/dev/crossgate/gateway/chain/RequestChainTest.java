package dev.crossgate.gateway.chain;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Each way a step can break the chain's contract is answered with a 500 problem and logged as a
 * bug.
 */
class RequestChainTest {
  private final Vertx vertx = Vertx.vertx();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final List<String> events = new ArrayList<>();
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void captureLog() {
    log.start();
    ((Logger) LoggerFactory.getLogger(RequestChain.class)).addAppender(log);
  }

  @AfterEach
  void close() {
    ((Logger) LoggerFactory.getLogger(RequestChain.class)).detachAppender(log);
    GatewayKit.await(vertx.close());
  }

  private record Reply(int status, MultiMap headers, String body) {
    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /** Serves every request through {@code steps} and returns "status body" of one GET. */
  private String serve(Step... steps) {
    return reply(steps).toString();
  }

  private Reply reply(Step... steps) {
    var chain = new RequestChain(List.of(steps));
    server =
        GatewayKit.await(
            vertx
                .createHttpServer()
                .requestHandler(
                    req ->
                        chain.handle(
                            new Exchange(req, GatewayConfig.EMPTY, "rid-1", System.nanoTime())))
                .listen(0, "127.0.0.1"));
    client = vertx.createHttpClient();
    return GatewayKit.await(
        client
            .request(
                new RequestOptions().setHost("127.0.0.1").setPort(server.actualPort()).setURI("/"))
            .compose(req -> req.send())
            .compose(
                resp ->
                    resp.body()
                        .map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString()))));
  }

  private static Step answering(String text) {
    return new Step() {
      @Override
      public Future<Void> onRequest(Exchange exchange, Chain next) {
        exchange.respond(200, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(text));
        return Future.succeededFuture();
      }

      @Override
      public String name() {
        return "answering";
      }
    };
  }

  private Step recording(String name) {
    return new Step() {
      @Override
      public Future<Void> onRequest(Exchange exchange, Chain next) {
        events.add(name + ".request");
        return next.proceed(exchange);
      }

      @Override
      public Future<Void> onResponse(Exchange exchange) {
        events.add(name + ".response");
        exchange.responseHeaders().add("X-Seen-By", name);
        return Future.succeededFuture();
      }
    };
  }

  @Test
  void requestPhaseRunsInOrderAndResponsePhaseInReverse() {
    var result = serve(recording("a"), recording("b"), answering("done"));

    assertThat(result).isEqualTo("200 done");
    assertThat(events).containsExactly("a.request", "b.request", "b.response", "a.response");
  }

  @Test
  void aStepThatProceedsTwiceFailsTheRequestLoudly() {
    Step twice =
        new Step() {
          @Override
          public Future<Void> onRequest(Exchange exchange, Chain next) {
            return next.proceed(exchange)
                .compose(v -> next.proceed(exchange))
                .recover(t -> Future.succeededFuture());
          }

          @Override
          public String name() {
            return "twice";
          }
        };

    var result = serve(twice, answering("x"));

    assertThat(result).startsWith("500 ").contains("/internal").contains("rid-1");
    assertThat(log.list)
        .anySatisfy(
            e ->
                assertThat(e.getFormattedMessage())
                    .contains("step twice must call proceed() exactly once"));
  }

  @Test
  void aStepThatNeitherProceedsNorAnswersFailsTheRequestLoudly() {
    Step silent =
        new Step() {
          @Override
          public Future<Void> onRequest(Exchange exchange, Chain next) {
            return Future.succeededFuture();
          }

          @Override
          public String name() {
            return "silent";
          }
        };

    var result = serve(silent, answering("x"));

    assertThat(result).startsWith("500 ");
    assertThat(log.list)
        .anySatisfy(
            e -> assertThat(e.getFormattedMessage()).contains("step silent must call proceed()"));
  }

  @Test
  void aStepThatAnswersAndProceedsFailsTheRequestLoudly() {
    Step both =
        new Step() {
          @Override
          public Future<Void> onRequest(Exchange exchange, Chain next) {
            exchange.reply(Problem.forbidden("no"));
            return next.proceed(exchange);
          }

          @Override
          public String name() {
            return "both";
          }
        };

    var result = serve(both, answering("x"));

    assertThat(result).startsWith("500 ");
    assertThat(log.list)
        .anySatisfy(
            e ->
                assertThat(e.getFormattedMessage())
                    .contains("step both answered the request and proceeded"));
  }

  @Test
  void aStepThatThrowsIsAnInternalErrorWithoutItsMessage() {
    Step throwing =
        new Step() {
          @Override
          public Future<Void> onRequest(Exchange exchange, Chain next) {
            throw new IllegalArgumentException("secret internal detail");
          }
        };

    var result = serve(throwing);

    assertThat(result).startsWith("500 ").doesNotContain("secret internal detail");
  }

  @Test
  void aProblemExceptionBecomesThatProblem() {
    Step refusing =
        new Step() {
          @Override
          public Future<Void> onRequest(Exchange exchange, Chain next) {
            return Future.failedFuture(new ProblemException(Problem.forbidden("not you")));
          }
        };

    var result = serve(recording("outer"), refusing);

    assertThat(result).startsWith("403 ").contains("not you").contains("\"requestId\":\"rid-1\"");
    assertThat(events).containsExactly("outer.request", "outer.response");
  }

  @Test
  void theLastStepProceedingIsAMisuseNotAHang() {
    var result = serve(recording("only"));

    assertThat(result).startsWith("500 ");
    assertThat(log.list)
        .anySatisfy(
            e -> assertThat(e.getFormattedMessage()).contains("no step answered the request"));
  }

  @Test
  void aResponsePhaseThatFailsBecomesAProblemThatTheOuterStepsSee() {
    Step failing =
        new Step() {
          @Override
          public Future<Void> onResponse(Exchange exchange) {
            return vertx
                .timer(1)
                .compose(
                    t ->
                        Future.failedFuture(
                            new ProblemException(Problem.forbidden("not this answer"))));
          }
        };

    var reply = reply(recording("outer"), failing, answering("secret upstream body"));

    assertThat(reply.toString())
        .startsWith("403 ")
        .contains("not this answer")
        .contains("\"requestId\":\"rid-1\"")
        .doesNotContain("secret upstream body");
    assertThat(reply.headers().get("Content-Type")).isEqualTo("application/problem+json");
    assertThat(reply.headers().get("X-Seen-By")).isEqualTo("outer");
    assertThat(events).containsExactly("outer.request", "outer.response");
  }

  @Test
  void aResponsePhaseThatFailsWithAnInternalCauseIsA500WithoutItsMessage() {
    Step failing =
        new Step() {
          @Override
          public Future<Void> onResponse(Exchange exchange) {
            return Future.failedFuture(new IllegalStateException("secret internal detail"));
          }
        };

    var result = serve(failing, answering("x"));

    assertThat(result).startsWith("500 ").doesNotContain("secret internal detail");
  }

  @Test
  void aResponsePhaseThatReturnsNoFutureIsAMisuseNotAHang() {
    Step silent =
        new Step() {
          @Override
          public Future<Void> onResponse(Exchange exchange) {
            return null;
          }

          @Override
          public String name() {
            return "silent";
          }
        };

    var result = serve(silent, answering("x"));

    assertThat(result).startsWith("500 ");
    assertThat(log.list)
        .anySatisfy(
            e ->
                assertThat(e.getFormattedMessage())
                    .contains("step silent returned no future from onResponse"));
  }

  @Test
  void aResponsePhaseMayChangeAHeaderAsynchronouslyAndTheOuterStepWaitsForIt() {
    Step asyncHeader =
        new Step() {
          @Override
          public Future<Void> onResponse(Exchange exchange) {
            return vertx
                .timer(1)
                .map(
                    t -> {
                      events.add("async.response");
                      exchange.responseHeaders().set("X-Decided-Later", "yes");
                      return null;
                    });
          }
        };
    var reply = reply(recording("outer"), asyncHeader, answering("done"));

    assertThat(reply.toString()).isEqualTo("200 done");
    assertThat(reply.headers().get("X-Decided-Later")).isEqualTo("yes");
    assertThat(reply.headers().get("X-Seen-By")).isEqualTo("outer");
    assertThat(events).containsExactly("outer.request", "async.response", "outer.response");
  }
}
