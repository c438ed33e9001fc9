package dev.crossgate.gateway.chain;

import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.StoreUnavailable;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link Exchange} through the steps (request phase in order, response phase in reverse,
 * each step's future awaited), then writes the response: a buffered body (the gateway's own
 * replies, a small upstream answer) or the upstream's stream, pumped with back-pressure ({@link
 * BodyPump}) so that no large body is ever held whole. Every failure that reaches here becomes a
 * problem response; internal causes go to the log only.
 */
public final class RequestChain {
  private static final Logger LOG = LoggerFactory.getLogger(RequestChain.class);

  private static final long LINGER_MS = 2_000;

  private final List<Step> steps;

  public RequestChain(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  public List<Step> steps() {
    return steps;
  }

  /** Handles one exchange to its end. Runs on the connection's event loop. */
  public void handle(Exchange exchange) {
    var run = new Run(exchange);
    Future<Void> result = run.enter(0);
    result.onComplete(ar -> finish(run, ar));
  }

  private void finish(Run run, AsyncResult<Void> ar) {
    var ex = run.exchange;
    if (run.misuse != null && ar.succeeded()) {
      ar = Future.failedFuture(run.misuse);
    }
    if (ar.failed()) {
      var response = ex.request().response();
      if (response.headWritten()) {
        LOG.warn(
            "request failed after the response started requestId={} cause={}",
            ex.requestId(),
            ar.cause().toString());
        ex.abortResponse();
        ex.complete(true);
        return;
      }
      ex.reply(problemFor(ex, ar.cause()));
    } else if (ex.takenOver()) {
      return;
    }
    respond(ex, run.deepest);
  }

  /**
   * The response phase from step {@code index} outwards, then the write. A step whose future is
   * already complete (the default pass-through is) is followed in this loop without allocating; a
   * pending future resumes the loop when it completes. A failure replaces the response with its
   * problem, which the outer steps then see.
   */
  private void respond(Exchange ex, int index) {
    for (int i = index; i >= 0; i--) {
      var step = steps.get(i);
      var result = responsePhase(step, ex);
      if (!result.isComplete()) {
        int outer = i - 1;
        result.onComplete(
            ar -> {
              if (ar.failed()) {
                responseFailed(ex, ar.cause());
              }
              respond(ex, outer);
            });
        return;
      }
      if (result.failed()) {
        responseFailed(ex, result.cause());
      }
    }
    write(ex);
  }

  private static Future<Void> responsePhase(Step step, Exchange ex) {
    try {
      var result = step.onResponse(ex);
      return result != null
          ? result
          : Future.failedFuture(
              new ChainMisuseException(
                  "step " + step.name() + " returned no future from onResponse"));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static void responseFailed(Exchange ex, Throwable cause) {
    var problem = problemFor(ex, cause);
    discardStream(ex); // the upstream body the failed step left behind is never written
    ex.reply(problem);
  }

  private static Problem problemFor(Exchange ex, Throwable cause) {
    if (cause instanceof ProblemException pe) {
      return pe.problem();
    }
    var unavailable = StoreUnavailable.problemFor(cause);
    if (unavailable.isPresent()) {
      LOG.warn(
          "event=store-unavailable requestId={} path={} cause={}",
          ex.requestId(),
          ex.request().path(),
          cause.toString());
      discardStream(ex);
      return unavailable.get();
    }
    if (cause instanceof ChainMisuseException) {
      LOG.error("request chain misuse requestId={} {}", ex.requestId(), cause.getMessage());
    } else {
      LOG.error("request failed requestId={} path={}", ex.requestId(), ex.request().path(), cause);
    }
    discardStream(ex);
    return Problem.internal(ex.requestId());
  }

  /** Drains an upstream body nobody will write, so its connection can return to the pool. */
  private static void discardStream(Exchange ex) {
    var stream = ex.bodyStream();
    if (stream != null) {
      stream.handler(b -> {});
      stream.resume();
    }
  }

  private static void write(Exchange ex) {
    var response = ex.request().response();
    response.setStatusCode(ex.status());
    if (ex.responseHeaders() != response.headers()) {
      response.headers().addAll(ex.responseHeaders());
    }
    response.headers().set(CrossgateHeaders.REQUEST_ID, ex.requestId());
    if (ex.closesConnection()) {
      response.headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    if (ex.bodyStream() == null) {
      var body = ex.body();
      Future<Void> end = body == null ? response.end() : response.end(body);
      end.onComplete(ar -> done(ex, ar.failed()));
      return;
    }
    if (!response.headers().contains(HttpHeaders.CONTENT_LENGTH) && mayHaveBody(ex)) {
      response.setChunked(true);
    }
    BodyPump.pump(ex.bodyStream(), response)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                if (ar.cause() instanceof BodyPump.ClientGone) {
                  ex.markClientGone();
                } else {
                  ex.abortResponse();
                }
                done(ex, true);
                return;
              }
              var trailers = ex.trailers() == null ? null : ex.trailers().get();
              if (trailers != null && !trailers.isEmpty() && response.isChunked()) {
                response.trailers().addAll(trailers);
              }
              response.end().onComplete(e -> done(ex, e.failed()));
            });
  }

  /** RFC 9110 section 6.4.1: no body (so no chunked framing) for HEAD, 1xx, 204 and 304. */
  private static boolean mayHaveBody(Exchange ex) {
    int status = ex.status();
    return status >= 200
        && status != 204
        && status != 304
        && ex.request().method() != HttpMethod.HEAD;
  }

  private static void done(Exchange ex, boolean failed) {
    if (ex.closesConnection()) {
      lingeringClose(ex);
    }
    ex.complete(failed);
  }

  /**
   * Closes the connection after an early answer (413 and the like) without resetting it under a
   * client that is still sending: closing with unread data makes the kernel send RST, and the
   * client may then lose the answer before reading it (RFC 9112 section 9.6). The rest of the body
   * is read and dropped for at most {@link #LINGER_MS}, then the connection is closed regardless.
   */
  private static void lingeringClose(Exchange ex) {
    var request = ex.request();
    var connection = request.connection();
    if (request.isEnded() || Vertx.currentContext() == null) {
      connection.close();
      return;
    }
    var vertx = Vertx.currentContext().owner();
    long timer = vertx.setTimer(LINGER_MS, t -> connection.close());
    request.handler(dropped -> {});
    request.endHandler(
        v -> {
          vertx.cancelTimer(timer);
          connection.close();
        });
    request.exceptionHandler(t -> connection.close());
    request.resume();
  }

  /** The state of one pass through the steps: how deep the request phase went. */
  private final class Run {
    final Exchange exchange;
    int deepest = -1;
    ChainMisuseException misuse;

    Run(Exchange exchange) {
      this.exchange = exchange;
    }

    Future<Void> enter(int index) {
      if (index == steps.size()) {
        return Future.failedFuture(
            new ChainMisuseException(
                "no step answered the request: the last step, "
                    + steps.get(index - 1).name()
                    + ", proceeded"));
      }
      var step = steps.get(index);
      deepest = Math.max(deepest, index);
      var next = new Next(this, index + 1, step);
      Future<Void> result;
      try {
        result = step.onRequest(exchange, next);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      if (result == null) {
        return Future.failedFuture(
            new ChainMisuseException("step " + step.name() + " returned no future"));
      }
      if (next.called) {
        return result; // proceeding once is checked by Next itself; nothing more to verify here
      }
      return result.compose(
          v -> {
            if (!next.called && !exchange.hasResponse() && !exchange.takenOver()) {
              return Future.failedFuture(
                  new ChainMisuseException(
                      "step "
                          + step.name()
                          + " must call proceed() or answer the request, and did neither"));
            }
            return Future.succeededFuture();
          });
    }
  }

  /** The chain as seen by one step; enforces "proceed at most once, and not after answering". */
  private static final class Next implements Chain {
    private final Run run;
    private final int index;
    private final Step caller;
    boolean called;

    Next(Run run, int index, Step caller) {
      this.run = run;
      this.index = index;
      this.caller = caller;
    }

    @Override
    public Future<Void> proceed(Exchange exchange) {
      if (called) {
        run.misuse =
            new ChainMisuseException(
                "step " + caller.name() + " must call proceed() exactly once, and called it again");
        return Future.failedFuture(run.misuse);
      }
      called = true;
      if (exchange != run.exchange) {
        return Future.failedFuture(
            new ChainMisuseException(
                "step " + caller.name() + " proceeded with a different exchange"));
      }
      if (exchange.hasResponse() || exchange.takenOver()) {
        return Future.failedFuture(
            new ChainMisuseException(
                "step " + caller.name() + " answered the request and proceeded too"));
      }
      return run.enter(index);
    }
  }
}
