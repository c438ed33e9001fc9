package dev.crossgate.agent.task;

import dev.crossgate.agent.AgentOptions;
import dev.crossgate.agent.callback.WebhookSignature;
import dev.crossgate.egress.EgressClient;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
import dev.crossgate.retry.Backoff;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unfinished-task supervision (the seed's "unfinished-task supervision" and "finished-task
 * handling"). A timer picks the tasks whose time has come from the local table, at most {@code
 * maxConcurrent} at once, and moves each one step:
 *
 * <ul>
 *   <li>NEW → submitted to the gateway (with its envelope); a 4xx refusal other than 408 and 429
 *       finishes it FAILED with the gateway's problem as the result;
 *   <li>SUBMITTED → polled ({@code GET /_tasks/{id}}); when finished, the result is fetched and
 *       stored locally (RESULT). Only an answer the gateway marks as the stored result ({@code
 *       X-Crossgate-Task-Status}) is taken: a 429 from its rate limit or a 503 from a proxy in
 *       front of it is about the fetch, so the fetch is retried (FINISHED), never delivered;
 *   <li>RESULT → delivered to the callback URL, signed (Standard Webhooks, the same {@code
 *       webhook-id} on every attempt), typed {@code task.completed} or {@code task.failed}; after a
 *       2xx it is DELIVERED, then released at the gateway ({@code DELETE}) and locally. Without a
 *       callback it is released at the gateway and kept for the caller (COLLECTABLE).
 * </ul>
 *
 * The gateway's copy is released only once the result is committed to the local table, so a result
 * is never lost between the two. Transient failures of every gateway call (connection errors, 429,
 * 502, 503, 504) are retried with one {@link Backoff}: exponential with full jitter, so thousands
 * of tasks created together do not poll in lockstep, and at least the {@code Retry-After} the
 * gateway sent with a 429 or 503. All state is in the table, so a restart simply resumes; a crash
 * between a 2xx delivery and its bookkeeping delivers again with the same webhook id, which the
 * receiver uses to drop the duplicate.
 */
public final class Supervisor {
  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
  private static final long DELIVERY_TIMEOUT_MS = 10_000;

  /** The webhook's event type in {@link CrossgateHeaders#EVENT}: the upstream gave a result. */
  public static final String COMPLETED = "task.completed";

  /** The task failed: the upstream reported a failure, the gateway refused or lost the task. */
  public static final String FAILED = "task.failed";

  /**
   * A server's Retry-After is honoured up to this, so a mistaken one cannot park a task for a day.
   */
  private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

  static final String UNDELIVERED =
      "the callback did not accept the result (no 2xx answer from an allowed address)";

  private final Vertx vertx;
  private final AgentTasks tasks;
  private final GatewayCalls gateway;
  private final EgressClient callbacks;
  private final Tracing tracing;
  private final WebhookSignature signature;
  private final AgentOptions options;
  private final Backoff backoff;
  private final Set<String> busy = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean scanning = new AtomicBoolean();
  private long timer = -1;

  /**
   * @param callbackClient callbacks go out through it: the caller chose the URL
   */
  public Supervisor(
      Vertx vertx,
      AgentTasks tasks,
      HttpClient gatewayClient,
      EgressClient callbackClient,
      AgentOptions options,
      Tracing tracing) {
    this(
        vertx,
        tasks,
        gatewayClient,
        callbackClient,
        options,
        tracing,
        () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * @param jitter the back-off's randomness, values in {@code [0, 1)}; tests pass a constant
   */
  public Supervisor(
      Vertx vertx,
      AgentTasks tasks,
      HttpClient gatewayClient,
      EgressClient callbackClient,
      AgentOptions options,
      Tracing tracing,
      DoubleSupplier jitter) {
    this.vertx = vertx;
    this.tasks = tasks;
    this.tracing = tracing;
    this.gateway = new GatewayCalls(gatewayClient, options.gatewayUrl(), options.apiKey(), tracing);
    this.callbacks = callbackClient;
    this.signature = new WebhookSignature(options.webhookSecret());
    this.options = options;
    this.backoff = Backoff.of(options.pollInitial(), options.pollMax(), MAX_RETRY_AFTER, jitter);
  }

  public void start() {
    long period = Math.max(20, Math.min(500, options.pollInitial().toMillis() / 2));
    timer = vertx.setPeriodic(period, t -> kick());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Looks for due tasks now (a new task is submitted without waiting for the timer). */
  public void kick() {
    int free = options.maxConcurrent() - busy.size();
    if (free <= 0 || !scanning.compareAndSet(false, true)) {
      return;
    }
    var now = tasks.clock().instant();
    tasks
        .blocking(() -> tasks.repository().due(now, free, Set.copyOf(busy)))
        .onComplete(
            ar -> {
              scanning.set(false);
              if (ar.failed()) {
                LOG.warn("task scan failed cause={}", ar.cause().toString());
                return;
              }
              for (var task : ar.result()) {
                if (busy.add(task.taskId())) {
                  step(task)
                      .onComplete(
                          done -> {
                            busy.remove(task.taskId());
                            if (done.failed()) {
                              LOG.warn(
                                  "task step failed taskId={} cause={}",
                                  task.taskId(),
                                  done.cause().toString());
                            }
                          });
                }
              }
            });
  }

  private Future<Void> step(AgentTask task) {
    switch (task.state()) {
      case NEW:
        return submit(task);
      case SUBMITTED:
        return poll(task);
      case FINISHED:
        return fetchResult(task);
      case RESULT:
        return task.callbackUrl() == null ? keepForCaller(task) : deliver(task);
      case DELIVERED:
        return release(
            task, AgentTask.State.DELIVERED, () -> tasks.repository().delete(task.taskId()));
      default:
        return Future.succeededFuture();
    }
  }

  private Future<Void> submit(AgentTask task) {
    var repo = tasks.repository();
    return tasks
        .blocking(() -> repo.requestBody(task.taskId()))
        .compose(bytes -> gateway.submit(task, bytes == null ? null : Buffer.buffer(bytes)))
        .transform(
            ar -> {
              if (ar.failed()) {
                return retry(task, ar.cause().toString(), null);
              }
              var r = ar.result();
              if (r.status() == 202) {
                var gatewayTaskId = r.json().path("taskId").asText();
                LOG.info("task submitted taskId={} gatewayTaskId={}", task.taskId(), gatewayTaskId);
                return write(
                    () ->
                        repo.submitted(
                            task.taskId(), gatewayTaskId, later(backoff.delay(0)), now()));
              }
              if (r.status() >= 400 && r.status() < 500 && r.status() != 429 && r.status() != 408) {
                // the gateway refused the task for good: that refusal is its (failed) result
                LOG.info("task refused taskId={} status={}", task.taskId(), r.status());
                return write(
                    () ->
                        repo.result(
                            task.taskId(),
                            "FAILED",
                            r.status(),
                            r.contentType(),
                            r.body().getBytes(),
                            now()));
              }
              return retry(task, "the gateway answered " + r.status() + " to the submission", r);
            });
  }

  private Future<Void> poll(AgentTask task) {
    var repo = tasks.repository();
    return gateway
        .status(task)
        .transform(
            ar -> {
              if (ar.failed()) {
                return retry(task, ar.cause().toString(), null);
              }
              var reply = ar.result();
              if (reply.status() == 404) {
                return lost(task);
              }
              if (reply.status() != 200) {
                return retry(task, "the gateway answered " + reply.status() + " to a poll", reply);
              }
              var status = reply.json().path("status").asText();
              if (status.equals("EXPIRED")) {
                var expired =
                    Problem.of(
                        "task-expired", "Task expired", 504, "the task expired at the gateway");
                return write(
                    () ->
                        repo.result(
                            task.taskId(),
                            "FAILED",
                            504,
                            Problem.MEDIA_TYPE,
                            Json.writeBytes(expired),
                            now()));
              }
              if (!status.equals("DONE") && !status.equals("FAILED")) {
                return retry(task, null, null);
              }
              return fetchResult(task);
            });
  }

  /**
   * Stores the task's result when the gateway serves it. Any other answer (429, 503...) is about
   * this fetch and is retried from FINISHED, without another poll: it must never become the task's
   * result, or the real one would be released unread. A 409 means the gateway no longer calls it
   * finished (it expired): polling again tells.
   */
  private Future<Void> fetchResult(AgentTask task) {
    var repo = tasks.repository();
    return gateway
        .result(task)
        .transform(
            ar -> {
              if (ar.failed()) {
                return retry(task, AgentTask.State.FINISHED, ar.cause().toString(), null);
              }
              var result = ar.result();
              var taskStatus = result.storedTaskStatus();
              if (taskStatus != null) {
                return write(
                        () ->
                            repo.result(
                                task.taskId(),
                                taskStatus,
                                result.status(),
                                result.contentType(),
                                result.body().getBytes(),
                                now()))
                    .onSuccess(
                        v ->
                            LOG.info(
                                "task result stored taskId={} status={} resultStatus={}",
                                task.taskId(),
                                taskStatus,
                                result.status()));
              }
              if (result.status() == 404) {
                return lost(task);
              }
              var error = "the gateway answered " + result.status() + " to the result fetch";
              return retry(
                  task,
                  result.status() == 409 ? AgentTask.State.SUBMITTED : AgentTask.State.FINISHED,
                  error,
                  result);
            });
  }

  private Future<Void> lost(AgentTask task) {
    var lost =
        Problem.of(
            "task-lost",
            "Task lost",
            502,
            "the gateway no longer knows task " + task.gatewayTaskId() + " (expired or released)");
    return write(
        () ->
            tasks
                .repository()
                .result(
                    task.taskId(),
                    "FAILED",
                    502,
                    Problem.MEDIA_TYPE,
                    Json.writeBytes(lost),
                    now()));
  }

  private Future<Void> deliver(AgentTask task) {
    var repo = tasks.repository();
    return tasks
        .blocking(() -> repo.resultBody(task.taskId()))
        .compose(
            bytes -> {
              var body = bytes == null ? new byte[0] : bytes;
              long timestamp = now().getEpochSecond();
              var request =
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setConnectTimeout(DELIVERY_TIMEOUT_MS)
                      .setIdleTimeout(DELIVERY_TIMEOUT_MS)
                      .addHeader(WebhookSignature.ID, task.webhookId())
                      .addHeader(WebhookSignature.TIMESTAMP, String.valueOf(timestamp))
                      .addHeader(
                          WebhookSignature.SIGNATURE,
                          signature.sign(task.webhookId(), timestamp, body))
                      .addHeader(
                          CrossgateHeaders.EVENT,
                          "FAILED".equals(task.taskStatus()) ? FAILED : COMPLETED)
                      .addHeader(CrossgateHeaders.TASK_ID, task.taskId())
                      .addHeader(CrossgateHeaders.TASK_STATUS, task.taskStatus())
                      .addHeader(
                          CrossgateHeaders.RESULT_STATUS, String.valueOf(task.resultStatus()));
              if (task.resultType() != null) {
                request.addHeader(HttpHeaders.CONTENT_TYPE, task.resultType());
              }
              // each attempt is its own span, child of the span that accepted the task
              var span = tracing.start("callback", SpanKind.CLIENT, task.traceparent());
              span.setAttribute("crossgate.task.id", task.taskId());
              span.setAttribute("crossgate.webhook.id", task.webhookId());
              Tracing.inject(span, request.getHeaders());
              return callbacks
                  .request(request, task.callbackUrl())
                  .compose(req -> req.send(Buffer.buffer(body)))
                  .compose(resp -> resp.body().map(b -> resp.statusCode()))
                  .andThen(Tracing.ends(span, status -> status));
            })
        .transform(
            ar -> {
              if (ar.succeeded() && ar.result() >= 200 && ar.result() < 300) {
                LOG.info(
                    "task delivered taskId={} webhookId={} attempts={}",
                    task.taskId(),
                    task.webhookId(),
                    task.deliveries() + 1);
                return write(() -> repo.delivered(task.taskId(), now()))
                    .compose(
                        v ->
                            release(
                                task, AgentTask.State.DELIVERED, () -> repo.delete(task.taskId())));
              }
              // the caller reads lastError: one text for every failure, or the agent would scan
              // ports for it
              LOG.info(
                  "task delivery failed taskId={} cause={}",
                  task.taskId(),
                  ar.failed() ? ar.cause().toString() : "the callback answered " + ar.result());
              var error = UNDELIVERED;
              if (now().isAfter(task.createdAt().plus(options.deliveryWindow()))) {
                LOG.warn(
                    "task undelivered taskId={} deliveries={} lastError={}",
                    task.taskId(),
                    task.deliveries() + 1,
                    error);
                return release(
                    task,
                    AgentTask.State.RESULT,
                    () -> repo.state(task.taskId(), AgentTask.State.UNDELIVERED, error, now()));
              }
              return write(
                  () ->
                      repo.later(
                          task.taskId(),
                          task.state(),
                          task.attempts() + 1,
                          task.deliveries() + 1,
                          error,
                          later(backoff.delay(task.attempts())),
                          now()));
            });
  }

  private Future<Void> keepForCaller(AgentTask task) {
    return release(
        task,
        AgentTask.State.RESULT,
        () -> tasks.repository().state(task.taskId(), AgentTask.State.COLLECTABLE, null, now()));
  }

  /**
   * Releases the task at the gateway, then runs {@code then} (the local bookkeeping). Only called
   * once the result is committed locally, in {@code stage} RESULT or DELIVERED (given, not read
   * from {@code task}: after a delivery the snapshot still says RESULT, and retrying in it would
   * deliver again). A transient failure keeps the task in {@code stage} and retries later; a
   * refusal that retrying will not change (say 401 after a key rotation) is logged and left to the
   * gateway's TTL.
   */
  private Future<Void> release(AgentTask task, AgentTask.State stage, Runnable then) {
    if (task.gatewayTaskId() == null) {
      return write(then);
    }
    return gateway
        .release(task)
        .transform(
            ar -> {
              if (ar.failed()) {
                return retry(task, stage, "release: " + ar.cause(), null);
              }
              var reply = ar.result();
              if (reply.transientFailure()) {
                return retry(
                    task,
                    stage,
                    "the gateway answered " + reply.status() + " to the release",
                    reply);
              }
              if (reply.status() == 204 || reply.status() == 404) {
                LOG.info(
                    "task released taskId={} gatewayTaskId={}",
                    task.taskId(),
                    task.gatewayTaskId());
              } else {
                LOG.warn(
                    "gateway release refused taskId={} gatewayTaskId={} status={}",
                    task.taskId(),
                    task.gatewayTaskId(),
                    reply.status());
              }
              return write(then);
            });
  }

  /**
   * Schedules the task's current stage again after the back-off, or after the gateway's {@code
   * Retry-After} when {@code reply} is a 429 or 503 that carries one.
   */
  private Future<Void> retry(AgentTask task, String error, GatewayCalls.Reply reply) {
    return retry(task, task.state(), error, reply);
  }

  /** As above, moving the task to stage {@code state} for the next attempt. */
  private Future<Void> retry(
      AgentTask task, AgentTask.State state, String error, GatewayCalls.Reply reply) {
    var retryAfter = reply == null ? null : reply.retryAfter(now());
    if (reply != null) {
      LOG.debug(
          "gateway call to retry taskId={} state={} status={} retryAfter={}",
          task.taskId(),
          task.state(),
          reply.status(),
          retryAfter);
    }
    int attempts = task.attempts() + 1;
    var nextAt = later(backoff.delay(task.attempts(), retryAfter));
    return write(
        () ->
            tasks
                .repository()
                .later(task.taskId(), state, attempts, task.deliveries(), error, nextAt, now()));
  }

  private Instant later(Duration delay) {
    return now().plus(delay);
  }

  private Instant now() {
    return tasks.clock().instant();
  }

  private Future<Void> write(Runnable work) {
    return tasks.blocking(
        () -> {
          work.run();
          return null;
        });
  }
}
