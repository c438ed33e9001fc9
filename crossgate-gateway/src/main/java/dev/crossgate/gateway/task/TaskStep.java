package dev.crossgate.gateway.task;

import dev.crossgate.gateway.auth.CallerStep;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.gateway.chain.SpooledBody;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.proxy.ProxyStep;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.Route;
import dev.crossgate.store.task.TaskStatus;
import dev.crossgate.store.task.TaskView;
import dev.crossgate.task.TaskEnvelope;
import dev.crossgate.trace.Tracing;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;

/**
 * The async-task step of the request chain (the chain order is documented once, where NodeVerticle
 * builds it). For every call it removes the task headers a caller must never set; sync calls then
 * proceed unchanged.
 *
 * <p>Async calls (route mode ASYNC, or {@code Prefer: respond-async} on a sync route, RFC 7240)
 * need an API key (the task's owner is its tenant). The body is read whole (bounded) and the task
 * is stored before anything else happens; then
 *
 * <ul>
 *   <li>CALLBACK: the request proceeds to the upstream's async interface through the rest of the
 *       chain, with {@code X-Crossgate-Task-Id} and {@code X-Crossgate-Result-Url} (which carries
 *       the per-task secret); the upstream's acknowledgement is drained and replaced by the 202.
 *   <li>HELD: the caller gets its 202 at once (or, with {@code Prefer: wait=N}, the result if it
 *       comes within N seconds) and the gateway calls the upstream in the background ({@link
 *       HeldCall}, through the proxy step).
 * </ul>
 *
 * The 202 carries {@code Location: /_tasks/{id}} and {@code Retry-After}.
 */
public final class TaskStep implements Step {
  private static final String PREFER = "Prefer";

  /** Bodies up to this size are read and dropped after a refusal rather than cut off by a close. */
  private static final long DRAIN_LIMIT = 64L << 20;

  private final TaskStore store;
  private final BodySpooler spooler;
  private final ProxyStep proxy;
  private final PublicUrl publicUrl;
  private final java.util.function.IntSupplier port;

  /**
   * @param store null when the node keeps no tasks: async calls are then answered 501
   * @param proxy the chain's proxy step, through which held calls reach their upstream
   * @param publicUrl where upstreams post results ({@link PublicUrl})
   * @param port the port this node's listener bound (read per request, once it listens)
   */
  public TaskStep(
      TaskStore store, ProxyStep proxy, PublicUrl publicUrl, java.util.function.IntSupplier port) {
    this.store = store;
    this.spooler = store == null ? null : store.spooler(TaskStore.SPOOL_THRESHOLD);
    this.proxy = proxy;
    this.publicUrl = publicUrl;
    this.port = port;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    var headers = exchange.request().headers();
    // these are the gateway's word to the upstream; a caller never gets to set them
    headers.remove(CrossgateHeaders.TASK_ID);
    headers.remove(CrossgateHeaders.RESULT_URL);
    var envelopeHeader = headers.get(CrossgateHeaders.ENVELOPE);
    headers.remove(CrossgateHeaders.ENVELOPE);
    var prefer = Prefer.parse(headers.getAll(PREFER));
    if (route.mode() == Route.Mode.SYNC && !prefer.respondAsync()) {
      return next.proceed(exchange);
    }
    if (store == null) {
      return answer(
          exchange,
          GatewayProblems.notImplemented("this node keeps no async tasks (it has no task store)"));
    }
    var caller = exchange.caller();
    if (caller == null) {
      return answer(exchange, CallerStep.noCaller(exchange));
    }
    TaskEnvelope clientEnvelope;
    try {
      clientEnvelope = clientEnvelope(envelopeHeader, exchange);
    } catch (ProblemException e) {
      return answer(exchange, e.problem());
    }
    var held =
        route.mode() == Route.Mode.SYNC || route.asyncExecution() == Route.AsyncExecution.HELD;
    var execution = held ? "HELD" : "CALLBACK";
    // decided before the task is stored: a task whose upstream could not be told where to answer is
    // no task
    var resultBase = held ? null : publicUrl.base(port.getAsInt());
    if (!held && resultBase == null) {
      return answer(exchange, TaskProblems.publicUrlRequired());
    }
    var request = exchange.request();
    long limit = Math.min(exchange.bodyLimit(), store.options().maxRequestBytes());
    var accepted = TaskSpans.accepted(exchange.trace(), execution);
    var traceparent = Tracing.traceparent(accepted);
    return spooler
        .receive(request, exchange.declaredLength(), limit, exchange.bufferLease())
        .recover(
            e -> {
              if (tooLarge(e)) {
                exchange.closeConnection();
              } else {
                // refused before the body was read (buffer budget): drop the rest, keep the
                // connection
                exchange.discardRestOfBody(DRAIN_LIMIT);
              }
              return Future.failedFuture(e);
            })
        .compose(
            body ->
                store
                    .create(
                        caller.tenantId(),
                        route.id(),
                        execution,
                        request.method().name(),
                        request.uri(),
                        request.getHeader(HttpHeaders.CONTENT_TYPE),
                        body,
                        clientEnvelope == null ? null : clientEnvelope.taskId(),
                        id -> envelope(id, exchange, clientEnvelope, traceparent))
                    .onComplete(
                        ar -> {
                          if (ar.failed()) {
                            Tracing.fail(accepted, ar.cause());
                            return;
                          }
                          accepted.setAttribute(TaskSpans.TASK_ID, ar.result().task().taskId());
                          accepted.end();
                        })
                    .compose(
                        created -> {
                          if (created.existing()) {
                            // a client resubmitting after a crash: its task exists and went
                            // upstream already
                            accepted(exchange, created.task());
                            return Future.succeededFuture();
                          }
                          return held
                              ? holdCall(exchange, created, created.body(), prefer, traceparent)
                              : forward(exchange, created, created.body(), resultBase, next);
                        }));
  }

  /** CALLBACK: the upstream's async interface gets the task through the rest of the chain. */
  private Future<Void> forward(
      Exchange exchange,
      TaskStore.Created created,
      SpooledBody body,
      String resultBase,
      Chain next) {
    var id = created.task().taskId();
    nameTheTask(exchange, id)
        .set(
            CrossgateHeaders.RESULT_URL,
            resultBase
                + "/_tasks/"
                + id
                + "/result?secret="
                + URLEncoder.encode(created.secret(), StandardCharsets.UTF_8));
    exchange.requestBody(body);
    return next.proceed(exchange)
        .transform(
            ar -> {
              discardUpstreamBody(exchange);
              if (ar.succeeded() && exchange.status() >= 200 && exchange.status() < 300) {
                // the common case answers from the record it has; only a task that a fast result
                // finished meanwhile is read back
                var at = store.clock().instant();
                return store
                    .running(id, at)
                    .compose(
                        marked ->
                            marked
                                ? Future.succeededFuture(created.task().runningAt(at))
                                : readBack(created.task()))
                    .map(
                        task -> {
                          accepted(exchange, task);
                          return null;
                        });
              }
              var problem =
                  ar.failed() && ar.cause() instanceof ProblemException pe
                      ? pe.problem()
                      : Problem.badGateway(
                          "the upstream refused the task with status " + exchange.status());
              if (ar.failed() && !(ar.cause() instanceof ProblemException)) {
                return Future.failedFuture(ar.cause());
              }
              return store
                  .finish(
                      id,
                      TaskStatus.FAILED,
                      problem.status(),
                      Problem.MEDIA_TYPE,
                      dev.crossgate.problem.ProblemResponses.body(problem),
                      problem.detail())
                  .compose(v -> readBack(created.task()))
                  .map(
                      task -> {
                        accepted(exchange, task);
                        return null;
                      });
            });
  }

  private Future<dev.crossgate.store.task.TaskRecord> readBack(
      dev.crossgate.store.task.TaskRecord task) {
    return store.find(task.taskId()).map(found -> found.orElse(task));
  }

  /**
   * HELD: 202 now (or the result within {@code Prefer: wait}); the upstream call goes on in the
   * background, through the proxy step.
   */
  private Future<Void> holdCall(
      Exchange exchange,
      TaskStore.Created created,
      SpooledBody body,
      Prefer prefer,
      String acceptedTraceparent) {
    var task = created.task();
    nameTheTask(exchange, task.taskId());
    var outcome =
        HeldCall.run(
            proxy,
            store,
            spooler,
            task.taskId(),
            proxy.detach(exchange, body),
            exchange.trace(),
            acceptedTraceparent);
    if (prefer.waitSeconds() == 0) {
      accepted(exchange, task);
      return Future.succeededFuture();
    }
    return HeldCall.within(store.vertx(), outcome, prefer.waitSeconds())
        .compose(
            result -> {
              if (result == null) {
                accepted(exchange, task);
                return Future.<Void>succeededFuture();
              }
              var headers =
                  MultiMap.caseInsensitiveMultiMap()
                      .add("Preference-Applied", "wait=" + prefer.waitSeconds())
                      .add(CrossgateHeaders.TASK_ID, task.taskId());
              if (result.contentType() != null) {
                headers.add(HttpHeaders.CONTENT_TYPE, result.contentType());
              }
              if (!result.body().inFile()) {
                exchange.respond(result.status(), headers, result.body().inline());
                return Future.<Void>succeededFuture();
              }
              headers.add(HttpHeaders.CONTENT_LENGTH, String.valueOf(result.body().size()));
              return store
                  .vertx()
                  .fileSystem()
                  .open(result.body().file().toString(), new OpenOptions().setRead(true))
                  .<Void>map(
                      file -> {
                        exchange.respond(result.status(), headers, file, null);
                        return null;
                      });
            });
  }

  private static boolean tooLarge(Throwable e) {
    return e instanceof ProblemException pe && pe.problem().status() == 413;
  }

  /**
   * Tells the upstream which task it serves; the caller's asynchrony preference is the gateway's
   * business.
   */
  private static MultiMap nameTheTask(Exchange exchange, String taskId) {
    return exchange.request().headers().set(CrossgateHeaders.TASK_ID, taskId).remove(PREFER);
  }

  private void accepted(Exchange exchange, dev.crossgate.store.task.TaskRecord task) {
    var headers =
        MultiMap.caseInsensitiveMultiMap()
            .add(HttpHeaders.CONTENT_TYPE, "application/json")
            .add(HttpHeaders.LOCATION, "/_tasks/" + task.taskId())
            .add(HttpHeaders.RETRY_AFTER, String.valueOf(store.options().retryAfterSeconds()))
            .add(CrossgateHeaders.TASK_ID, task.taskId());
    if (task.execution().equals("HELD") && exchange.route().mode() == Route.Mode.SYNC) {
      headers.add("Preference-Applied", "respond-async");
    }
    exchange.respond(
        202,
        headers,
        Buffer.buffer(Json.writeBytes(TaskView.of(task, store.clock().instant(), false))));
  }

  /**
   * The gateway's envelope of a new task (DESIGN.md "The agent"): built from the request, keeping
   * the client's own task id when its envelope named one, and the accepted span's {@code
   * traceparent} when tracing is on (never the client's: the gateway's span is the one to link).
   */
  private static String envelope(
      String id, Exchange exchange, TaskEnvelope client, String traceparent) {
    var request = exchange.request();
    var params = new LinkedHashMap<String, String>();
    for (var name : request.params().names()) {
      params.put(name, request.params().get(name));
    }
    return TaskEnvelope.pending(id, request.path(), params)
        .withClientTaskId(client == null ? null : client.taskId())
        .withTraceparent(traceparent)
        .json();
  }

  /**
   * The envelope a client (the agent) sent in {@code X-Crossgate-Envelope}: its {@code requestPath}
   * and {@code mode}, when present, must agree with the request.
   */
  private static TaskEnvelope clientEnvelope(String header, Exchange exchange) {
    if (header == null) {
      return null;
    }
    TaskEnvelope envelope;
    try {
      envelope = TaskEnvelope.parse(header);
    } catch (IllegalArgumentException e) {
      throw new ProblemException(
          TaskProblems.malformedEnvelope(CrossgateHeaders.ENVELOPE + ": " + e.getMessage()));
    }
    var path = envelope.requestPath();
    if (path != null && !path.equals(exchange.request().path())) {
      throw new ProblemException(
          TaskProblems.malformedEnvelope(
              "the envelope's requestPath " + path + " is not the path of this request"));
    }
    if (envelope.mode() != null && !TaskEnvelope.ASYNC.equals(envelope.mode())) {
      throw new ProblemException(
          TaskProblems.malformedEnvelope("the envelope's mode must be ASYNC for a task"));
    }
    var taskId = envelope.taskId();
    if (taskId != null && (taskId.isEmpty() || taskId.length() > 128)) {
      throw new ProblemException(
          TaskProblems.malformedEnvelope(
              "the envelope's taskId must be a string of 1 to 128 characters"));
    }
    return envelope;
  }

  private static void discardUpstreamBody(Exchange exchange) {
    var stream = exchange.bodyStream();
    if (stream != null) {
      stream.handler(b -> {});
      stream.resume();
    }
  }

  private static Future<Void> answer(Exchange exchange, Problem problem) {
    exchange.reply(problem);
    return Future.succeededFuture();
  }
}
