package dev.crossgate.gateway.task;

import dev.crossgate.gateway.chain.SpooledBody;
import dev.crossgate.gateway.proxy.ProxyStep;
import dev.crossgate.http.BufferBudget;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.problem.ProblemResponses;
import dev.crossgate.store.task.TaskStatus;
import dev.crossgate.trace.RequestTrace;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway-held task (DESIGN.md "Async tasks", second mode): the gateway calls an ordinary, slow
 * synchronous upstream itself and stores its response as the task's result. It runs after the
 * caller already has its 202, so it is not a pass through the request chain (the chain's exchange,
 * and its client connection, are gone by then); it goes through the chain's {@link ProxyStep} all
 * the same ({@link ProxyStep#call}): same target, header and failure rules, on the proxy's pool for
 * held calls. Callbacks run on the event loop that created the task.
 */
final class HeldCall {
  private static final Logger LOG = LoggerFactory.getLogger(HeldCall.class);

  /**
   * The upstream's answer as stored: status, content type and body (in memory or spooled to a
   * file).
   */
  record Outcome(int status, String contentType, SpooledBody body) {}

  private HeldCall() {}

  /**
   * Marks the task running, calls the upstream, stores its answer (or the failure's problem) as the
   * result. With tracing on ({@code trace} not null) the call is a {@code task upstream} span whose
   * {@code traceparent} the upstream is sent, and storing the answer a {@code task result} span,
   * both linked to the task's accepted span ({@code accepted}).
   */
  static Future<Outcome> run(
      ProxyStep proxy,
      TaskStore store,
      BodySpooler spooler,
      String taskId,
      ProxyStep.Detached request,
      RequestTrace trace,
      String accepted) {
    var options = store.options();
    var upstream = TaskSpans.later(trace, "task upstream", SpanKind.CLIENT, taskId, accepted);
    upstream.setAttribute("server.address", request.target().authority());
    // W3C Trace Context: the upstream's parent is this call's span (tracing off: nothing set)
    Tracing.inject(upstream, request.headers());
    // the caller may be gone already: the answer is spooled outside any request's buffer share
    Future<Outcome> call =
        store
            .running(taskId, store.clock().instant())
            .compose(
                v ->
                    proxy.call(
                        request,
                        options.heldTimeout(),
                        options.maxResultBytes(),
                        response -> {
                          var length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
                          return spooler
                              .receive(
                                  response,
                                  length == null ? -1 : Long.parseLong(length.trim()),
                                  options.maxResultBytes(),
                                  BufferBudget.UNLIMITED.lease())
                              .map(
                                  body ->
                                      new Outcome(
                                          response.statusCode(),
                                          response.getHeader(HttpHeaders.CONTENT_TYPE),
                                          body));
                        }));
    return call.recover(e -> Future.succeededFuture(failure(taskId, request.requestId(), e)))
        .compose(
            outcome -> {
              Tracing.end(upstream, outcome.status());
              var result =
                  TaskSpans.later(trace, "task result", SpanKind.INTERNAL, taskId, accepted);
              var status = outcome.status() >= 500 ? TaskStatus.FAILED : TaskStatus.DONE;
              return store
                  .finish(
                      taskId,
                      status,
                      outcome.status(),
                      outcome.contentType(),
                      outcome.body(),
                      status == TaskStatus.FAILED ? "upstream answered " + outcome.status() : null)
                  .andThen(Tracing.ends(result, stored -> outcome.status()))
                  // a spooled answer now lives in the task's result blob, which the row names
                  .compose(
                      stored ->
                          !outcome.body().inFile()
                              ? Future.succeededFuture(outcome)
                              : store
                                  .find(taskId)
                                  .compose(
                                      task ->
                                          task.isPresent()
                                              ? store.result(task.get())
                                              : Future.failedFuture(
                                                  new IllegalStateException(
                                                      "task " + taskId + " is gone")))
                                  .map(
                                      body ->
                                          new Outcome(
                                              outcome.status(), outcome.contentType(), body)));
            })
        .onFailure(e -> LOG.warn("held task not stored taskId={} cause={}", taskId, e.toString()));
  }

  /**
   * {@code outcome} if it comes within {@code seconds}; null when it does not, or failed (the
   * caller then gets its 202).
   */
  static Future<Outcome> within(Vertx vertx, Future<Outcome> outcome, int seconds) {
    var answered = Promise.<Outcome>promise();
    long timer = vertx.setTimer(seconds * 1000L, t -> answered.tryComplete(null));
    outcome.onComplete(
        ar -> {
          vertx.cancelTimer(timer);
          answered.tryComplete(ar.succeeded() ? ar.result() : null);
        });
    return answered.future();
  }

  /**
   * The proxy's problem (502, 503, 504) for a call that failed, stored as the result; 500 for
   * anything else.
   */
  private static Outcome failure(String taskId, String requestId, Throwable cause) {
    Problem problem;
    if (cause instanceof ProblemException refused) {
      problem = refused.problem();
    } else {
      LOG.warn(
          "held call failed taskId={} requestId={} cause={}", taskId, requestId, cause.toString());
      problem = Problem.internal(requestId);
    }
    return new Outcome(
        problem.status(), Problem.MEDIA_TYPE, SpooledBody.inMemory(ProblemResponses.body(problem)));
  }
}
