package dev.crossgate.gateway.task;

import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.problem.ProblemResponses;
import dev.crossgate.gateway.proxy.UpstreamTarget;
import dev.crossgate.problem.Problem;
import dev.crossgate.store.task.TaskStatus;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway-held task (DESIGN.md "Async tasks", second mode): the gateway calls an ordinary,
 * slow synchronous upstream itself and stores its response as the task's result. It runs after
 * the caller already has its 202, so it is not a pass through the request chain (the chain's
 * exchange, and its client connection, are gone by then); it reuses the proxy's target parsing
 * and header rules. Callbacks run on the event loop that created the task.
 */
final class HeldCall {
  private static final Logger LOG = LoggerFactory.getLogger(HeldCall.class);

  /** The upstream's answer as stored: status, content type and body. */
  record Outcome(int status, String contentType, Buffer body) {}

  private HeldCall() {}

  static Future<Outcome> run(HttpClient client, TaskStore store, String taskId, String targetUrl, String remainder,
      String query, HttpMethod method, MultiMap headers, Buffer body) {
    var target = UpstreamTarget.parse(targetUrl);
    var options = new RequestOptions()
        .setMethod(method)
        .setHost(target.host())
        .setPort(target.port())
        .setSsl(target.ssl())
        .setURI(target.uri(remainder, query))
        .setHeaders(headers)
        .setIdleTimeout(store.options().heldTimeout().toMillis());
    long limit = store.options().maxResultBytes();
    Future<Outcome> call = store.running(taskId)
        .compose(v -> client.request(options))
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(resp -> readLimited(resp, limit));
    return call.recover(e -> Future.succeededFuture(failure(target.authority(), e)))
        .compose(outcome -> {
          var status = outcome.status() >= 500 ? TaskStatus.FAILED : TaskStatus.DONE;
          return store.finish(taskId, status, outcome.status(), outcome.contentType(), outcome.body(),
                  status == TaskStatus.FAILED ? "upstream answered " + outcome.status() : null)
              .map(stored -> outcome);
        })
        .onFailure(e -> LOG.warn("held task not stored taskId={} cause={}", taskId, e.toString()));
  }

  private static Future<Outcome> readLimited(HttpClientResponse resp, long limit) {
    var declared = resp.headers().get(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && Long.parseLong(declared) > limit) {
      resp.request().reset();
      return Future.failedFuture(new ResultTooLarge());
    }
    return resp.body().compose(b -> b.length() > limit ? Future.failedFuture(new ResultTooLarge())
        : Future.succeededFuture(new Outcome(resp.statusCode(), resp.getHeader(HttpHeaders.CONTENT_TYPE), b)));
  }

  private static Outcome failure(String upstream, Throwable cause) {
    Problem problem;
    if (cause instanceof ResultTooLarge) {
      problem = GatewayProblems.badGateway("the upstream " + upstream + " answered more than the result limit");
    } else if (cause instanceof java.util.concurrent.TimeoutException
        || cause.getClass().getSimpleName().contains("Timeout")) {
      problem = GatewayProblems.gatewayTimeout("the upstream " + upstream + " did not answer in time");
    } else {
      problem = GatewayProblems.badGateway("the upstream " + upstream + " could not be reached");
    }
    LOG.info("held call failed upstream={} cause={}", upstream, cause.toString());
    return new Outcome(problem.status(), Problem.MEDIA_TYPE, ProblemResponses.body(problem));
  }

  private static final class ResultTooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ResultTooLarge() {
      super("result too large", null, false, false);
    }
  }
}
