package dev.crossgate.gateway.task;

import dev.crossgate.auth.Caller;
import dev.crossgate.auth.Secrets;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.problem.ProblemResponses;
import dev.crossgate.store.StoreUnavailable;
import dev.crossgate.store.task.TaskRecord;
import dev.crossgate.store.task.TaskStatus;
import dev.crossgate.store.task.TaskView;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task API on the gateway port (DESIGN.md "Async tasks"; the seed's check task, update task
 * status, clear finished task):
 *
 * <ul>
 *   <li>{@code GET /_tasks/{id}} — status JSON, owner's key only (another tenant's task is 404);
 *   <li>{@code GET /_tasks/{id}/result} — the stored response as the upstream gave it;
 *   <li>{@code POST /_tasks/{id}/result} — for the upstream, authenticated by the task secret
 *       ({@code ?secret=} of the result URL, or {@code X-Crossgate-Task-Secret}); any content type;
 *       optional {@code X-Crossgate-Result-Status} (default 200) and {@code
 *       X-Crossgate-Task-Status: FAILED}; accepted once (409 after), size-limited (413);
 *   <li>{@code DELETE /_tasks/{id}} — releases the task and its data (204, then 404).
 * </ul>
 *
 * Handlers run on the event loop; the store does its blocking work on its worker pool.
 */
public final class TaskEndpoint implements GatewayEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(TaskEndpoint.class);

  private final TaskStore store;
  private final BodySpooler spooler;

  public TaskEndpoint(TaskStore store) {
    this.store = store;
    this.spooler = store.spooler(TaskStore.SPOOL_THRESHOLD);
  }

  @Override
  public void mount(Router router) {
    router.get("/_tasks/:id").handler(this::status);
    router.delete("/_tasks/:id").handler(this::release);
    router.get("/_tasks/:id/result").handler(this::result);
    router.post("/_tasks/:id/result").handler(this::postResult);
    router
        .route("/_tasks*")
        .handler(
            ctx ->
                fail(
                    ctx,
                    new ProblemException(
                        Problem.notFound("no task resource at " + ctx.request().path()))));
  }

  private void status(RoutingContext ctx) {
    owned(ctx)
        .onSuccess(
            task -> {
              var now = store.clock().instant();
              var status = task.statusAt(now);
              var response = ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
              if (!status.finished()) {
                response.putHeader(
                    HttpHeaders.RETRY_AFTER, String.valueOf(store.options().retryAfterSeconds()));
              }
              response.end(
                  io.vertx.core.buffer.Buffer.buffer(
                      Json.writeBytes(TaskView.of(task, now, false))));
            })
        .onFailure(e -> fail(ctx, e));
  }

  private void result(RoutingContext ctx) {
    owned(ctx)
        .compose(
            task -> {
              var status = task.statusAt(store.clock().instant());
              if (status == TaskStatus.EXPIRED || !task.status().finished()) {
                ctx.response()
                    .putHeader(
                        HttpHeaders.RETRY_AFTER,
                        String.valueOf(store.options().retryAfterSeconds()));
                return Future.failedFuture(
                    new ProblemException(TaskProblems.noResultYet(task.taskId(), status.name())));
              }
              var collected =
                  TaskSpans.later(
                      GatewayEndpoint.exchange(ctx).trace(),
                      "task collected",
                      SpanKind.INTERNAL,
                      task);
              return store
                  .result(task)
                  .andThen(Tracing.ends(collected, body -> task.resultStatus()))
                  .compose(
                      body -> {
                        var response = ctx.response().setStatusCode(task.resultStatus());
                        if (task.resultType() != null) {
                          response.putHeader(HttpHeaders.CONTENT_TYPE, task.resultType());
                        }
                        response.putHeader(CrossgateHeaders.TASK_STATUS, task.status().name());
                        if (body.file() == null) {
                          return response.end(body.inline());
                        }
                        // a large result streams from its blob file; the heap holds a few pieces of
                        // it at a time
                        response.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.size()));
                        return store
                            .vertx()
                            .fileSystem()
                            .open(body.file().toString(), new OpenOptions().setRead(true))
                            .compose(file -> file.pipeTo(response));
                      });
            })
        .onFailure(e -> fail(ctx, e));
  }

  private void release(RoutingContext ctx) {
    owned(ctx)
        .compose(task -> store.delete(task.taskId()))
        .onSuccess(
            deleted -> {
              if (deleted) {
                ctx.response().setStatusCode(204).end();
              } else {
                fail(ctx, new ProblemException(TaskProblems.unknownTask(ctx.pathParam("id"))));
              }
            })
        .onFailure(e -> fail(ctx, e));
  }

  /** The upstream posts the result; the secret, not an API key, proves it was handed this task. */
  private void postResult(RoutingContext ctx) {
    var request = ctx.request();
    var id = ctx.pathParam("id");
    var secret =
        request.getHeader(CrossgateHeaders.TASK_SECRET) != null
            ? request.getHeader(CrossgateHeaders.TASK_SECRET)
            : request.getParam("secret");
    if (secret == null || secret.isEmpty()) {
      fail(ctx, new ProblemException(TaskProblems.missingSecret()));
      return;
    }
    int httpStatus;
    try {
      httpStatus =
          request.getHeader(CrossgateHeaders.RESULT_STATUS) == null
              ? 200
              : Integer.parseInt(request.getHeader(CrossgateHeaders.RESULT_STATUS));
      if (httpStatus < 200 || httpStatus > 599) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      fail(
          ctx,
          new ProblemException(
              Problem.badRequest(
                  CrossgateHeaders.RESULT_STATUS + " must be an HTTP status from 200 to 599")));
      return;
    }
    var failed = "FAILED".equalsIgnoreCase(request.getHeader(CrossgateHeaders.TASK_STATUS));
    store
        .find(id)
        .compose(
            found -> {
              if (found.isEmpty()
                  || !constantTimeEquals(Secrets.sha256Hex(secret), found.get().secretHash())) {
                return Future.failedFuture(new ProblemException(TaskProblems.resultRefused(id)));
              }
              var task = found.get();
              if (task.statusAt(store.clock().instant()).finished()) {
                return Future.failedFuture(
                    new ProblemException(TaskProblems.resultAlreadyStored(id)));
              }
              var exchange = GatewayEndpoint.exchange(ctx);
              var arrived =
                  TaskSpans.later(exchange.trace(), "task result", SpanKind.INTERNAL, task);
              return spooler
                  .receive(
                      request,
                      exchange.declaredLength(),
                      store.options().maxResultBytes(),
                      exchange.bufferLease())
                  .compose(
                      body ->
                          store.finish(
                              id,
                              failed ? TaskStatus.FAILED : TaskStatus.DONE,
                              httpStatus,
                              request.getHeader(HttpHeaders.CONTENT_TYPE),
                              body,
                              failed ? "the upstream reported a failure" : null))
                  .andThen(Tracing.ends(arrived, stored -> httpStatus));
            })
        .onSuccess(
            stored -> {
              if (stored) {
                LOG.info(
                    "task result stored taskId={} status={} failed={}", id, httpStatus, failed);
                ctx.response().setStatusCode(204).end();
              } else {
                fail(ctx, new ProblemException(TaskProblems.resultAlreadyStored(id)));
              }
            })
        .onFailure(e -> fail(ctx, e));
  }

  /**
   * The task, when the request's key belongs to its owner; otherwise a failed future with 401/404.
   */
  private Future<TaskRecord> owned(RoutingContext ctx) {
    Caller caller;
    try {
      caller = GatewayEndpoint.caller(ctx);
    } catch (ProblemException e) {
      return Future.failedFuture(e);
    }
    var id = ctx.pathParam("id");
    return store
        .find(id)
        .compose(
            found ->
                found.isPresent() && found.get().owner().equals(caller.tenantId())
                    ? Future.succeededFuture(found.get())
                    : Future.failedFuture(new ProblemException(TaskProblems.unknownTask(id))));
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII),
        b.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }

  /** Answers a failure as problem+json; causes other than problems are logged, never sent. */
  static void fail(RoutingContext ctx, Throwable e) {
    var requestId = GatewayEndpoint.exchange(ctx).requestId();
    Problem problem;
    var unavailable = StoreUnavailable.problemFor(e);
    if (e instanceof ProblemException pe) {
      problem = pe.problem();
    } else if (unavailable.isPresent()) {
      LOG.warn(
          "event=store-unavailable requestId={} path={} cause={}",
          requestId,
          ctx.request().path(),
          e.toString());
      problem = unavailable.get();
    } else {
      LOG.error("task request failed requestId={} path={}", requestId, ctx.request().path(), e);
      problem = Problem.internal(requestId);
    }
    if (ctx.response().ended()) {
      return;
    }
    // a body left unread (too large, over the node's buffer budget) would be taken for the next
    // request
    boolean unread = !ctx.request().isEnded();
    if (unread) {
      ctx.response().putHeader("Connection", "close");
    }
    ProblemResponses.send(ctx.response(), problem, requestId)
        .onComplete(
            v -> {
              if (unread || problem.status() == 413) {
                ctx.request().connection().close();
              }
            });
  }
}
