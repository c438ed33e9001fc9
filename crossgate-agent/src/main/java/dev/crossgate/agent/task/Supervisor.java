package dev.crossgate.agent.task;

import dev.crossgate.agent.AgentOptions;
import dev.crossgate.agent.callback.WebhookSignature;
import dev.crossgate.egress.EgressClient;
import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unfinished-task supervision (the seed's "unfinished-task supervision" and "finished-task
 * handling"). A timer picks the tasks whose time has come from the local table, at most
 * {@code maxConcurrent} at once, and moves each one step:
 * <ul>
 *   <li>NEW → submitted to the gateway (with its envelope); a 4xx refusal finishes it FAILED
 *   with the gateway's problem as the result, anything else is retried;
 *   <li>SUBMITTED → polled ({@code GET /_tasks/{id}}); when finished, the result is fetched and
 *   stored locally (RESULT);
 *   <li>RESULT → delivered to the callback URL, signed (Standard Webhooks, the same
 *   {@code webhook-id} on every attempt); after a 2xx the task is released at the gateway
 *   ({@code DELETE}) and locally. Without a callback it is released at the gateway and kept
 *   for the caller to collect (COLLECTABLE).
 * </ul>
 * Every wait is exponential backoff with jitter (half to all of the delay), so thousands of
 * tasks created together do not poll in lockstep. All state is in the table, so a restart
 * simply resumes; a crash between a 2xx delivery and its bookkeeping delivers again with the
 * same webhook id, which the receiver uses to drop the duplicate.
 */
public final class Supervisor {
  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
  private static final long DELIVERY_TIMEOUT_MS = 10_000;
  static final String UNDELIVERED = "the callback did not accept the result (no 2xx answer from an allowed address)";

  private final Vertx vertx;
  private final AgentTasks tasks;
  private final GatewayCalls gateway;
  private final EgressClient callbacks;
  private final WebhookSignature signature;
  private final AgentOptions options;
  private final Set<String> busy = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean scanning = new AtomicBoolean();
  private long timer = -1;

  /** @param callbackClient callbacks go out through it: the caller chose the URL */
  public Supervisor(Vertx vertx, AgentTasks tasks, HttpClient gatewayClient, EgressClient callbackClient,
      AgentOptions options) {
    this.vertx = vertx;
    this.tasks = tasks;
    this.gateway = new GatewayCalls(gatewayClient, options.gatewayUrl(), options.apiKey());
    this.callbacks = callbackClient;
    this.signature = new WebhookSignature(options.webhookSecret());
    this.options = options;
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
    tasks.blocking(() -> tasks.repository().due(now, free, Set.copyOf(busy))).onComplete(ar -> {
      scanning.set(false);
      if (ar.failed()) {
        LOG.warn("task scan failed cause={}", ar.cause().toString());
        return;
      }
      for (var task : ar.result()) {
        if (busy.add(task.taskId())) {
          step(task).onComplete(done -> {
            busy.remove(task.taskId());
            if (done.failed()) {
              LOG.warn("task step failed taskId={} cause={}", task.taskId(), done.cause().toString());
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
      case RESULT:
        return task.callbackUrl() == null ? keepForCaller(task) : deliver(task);
      default:
        return Future.succeededFuture();
    }
  }

  private Future<Void> submit(AgentTask task) {
    var repo = tasks.repository();
    return tasks.blocking(() -> repo.requestBody(task.taskId()))
        .compose(bytes -> gateway.submit(task, bytes == null ? null : Buffer.buffer(bytes)))
        .transform(ar -> {
          if (ar.succeeded() && ar.result().status() == 202) {
            var gatewayTaskId = ar.result().json().path("taskId").asText();
            LOG.info("task submitted taskId={} gatewayTaskId={}", task.taskId(), gatewayTaskId);
            return write(() -> repo.submitted(task.taskId(), gatewayTaskId, later(0, options.pollInitial()), now()));
          }
          if (ar.succeeded() && ar.result().status() >= 400 && ar.result().status() < 500
              && ar.result().status() != 429 && ar.result().status() != 408) {
            // the gateway refused the task for good: that refusal is its result
            var r = ar.result();
            return write(() -> repo.result(task.taskId(), "FAILED", r.status(), r.contentType(), r.body().getBytes(),
                now()));
          }
          var error = ar.failed() ? ar.cause().toString() : "the gateway answered " + ar.result().status();
          return retry(task, error);
        });
  }

  private Future<Void> poll(AgentTask task) {
    var repo = tasks.repository();
    return gateway.status(task.gatewayTaskId()).transform(ar -> {
      if (ar.failed()) {
        return retry(task, ar.cause().toString());
      }
      var reply = ar.result();
      if (reply.status() == 404) {
        var lost = Problem.of("task-lost", "Task lost", 502,
            "the gateway no longer knows task " + task.gatewayTaskId() + " (expired or released)");
        return write(() -> repo.result(task.taskId(), "FAILED", 502, Problem.MEDIA_TYPE, Json.writeBytes(lost),
            now()));
      }
      if (reply.status() != 200) {
        return retry(task, "the gateway answered " + reply.status() + " to a poll");
      }
      var status = reply.json().path("status").asText();
      if (status.equals("EXPIRED")) {
        var expired = Problem.of("task-expired", "Task expired", 504, "the task expired at the gateway");
        return write(() -> repo.result(task.taskId(), "FAILED", 504, Problem.MEDIA_TYPE, Json.writeBytes(expired),
            now()));
      }
      if (!status.equals("DONE") && !status.equals("FAILED")) {
        return retry(task, null);
      }
      return gateway.result(task.gatewayTaskId()).compose(result -> result.status() == 409
          ? retry(task, "result not readable yet")
          : write(() -> repo.result(task.taskId(), status, result.status(), result.contentType(),
              result.body().getBytes(), now())))
          .compose(v -> {
            LOG.info("task result stored taskId={} status={}", task.taskId(), status);
            return Future.<Void>succeededFuture();
          });
    });
  }

  private Future<Void> deliver(AgentTask task) {
    var repo = tasks.repository();
    return tasks.blocking(() -> repo.resultBody(task.taskId())).compose(bytes -> {
      var body = bytes == null ? new byte[0] : bytes;
      long timestamp = now().getEpochSecond();
      var request = new RequestOptions().setMethod(HttpMethod.POST)
          .setConnectTimeout(DELIVERY_TIMEOUT_MS)
          .setIdleTimeout(DELIVERY_TIMEOUT_MS)
          .addHeader(WebhookSignature.ID, task.webhookId())
          .addHeader(WebhookSignature.TIMESTAMP, String.valueOf(timestamp))
          .addHeader(WebhookSignature.SIGNATURE, signature.sign(task.webhookId(), timestamp, body))
          .addHeader("X-Crossgate-Task-Id", task.taskId())
          .addHeader("X-Crossgate-Task-Status", task.taskStatus())
          .addHeader("X-Crossgate-Result-Status", String.valueOf(task.resultStatus()));
      if (task.resultType() != null) {
        request.addHeader(HttpHeaders.CONTENT_TYPE, task.resultType());
      }
      return callbacks.request(request, task.callbackUrl()).compose(req -> req.send(Buffer.buffer(body)))
          .compose(resp -> resp.body().map(b -> resp.statusCode()));
    }).transform(ar -> {
      if (ar.succeeded() && ar.result() >= 200 && ar.result() < 300) {
        LOG.info("task delivered taskId={} webhookId={} attempts={}", task.taskId(), task.webhookId(),
            task.deliveries() + 1);
        return releaseAtGateway(task).compose(v -> write(() -> repo.delete(task.taskId())));
      }
      // the caller reads lastError: one text for every failure, or the agent would scan ports for it
      LOG.info("task delivery failed taskId={} cause={}", task.taskId(),
          ar.failed() ? ar.cause().toString() : "the callback answered " + ar.result());
      var error = UNDELIVERED;
      if (now().isAfter(task.createdAt().plus(options.deliveryWindow()))) {
        LOG.warn("task undelivered taskId={} deliveries={} lastError={}", task.taskId(), task.deliveries() + 1, error);
        return releaseAtGateway(task).compose(v -> write(() -> repo.state(task.taskId(), AgentTask.State.UNDELIVERED,
            error, now())));
      }
      return write(() -> repo.later(task.taskId(), task.attempts() + 1, task.deliveries() + 1, error,
          later(task.attempts() + 1, options.pollInitial()), now()));
    });
  }

  private Future<Void> keepForCaller(AgentTask task) {
    return releaseAtGateway(task).compose(v -> write(() -> tasks.repository().state(task.taskId(),
        AgentTask.State.COLLECTABLE, null, now())));
  }

  /** Best effort: a release that fails is left to the gateway's TTL rather than blocking delivery. */
  private Future<Void> releaseAtGateway(AgentTask task) {
    if (task.gatewayTaskId() == null) {
      return Future.succeededFuture();
    }
    return gateway.release(task.gatewayTaskId()).recover(e -> {
      LOG.info("gateway release failed taskId={} gatewayTaskId={} cause={}", task.taskId(), task.gatewayTaskId(),
          e.toString());
      return Future.succeededFuture();
    });
  }

  private Future<Void> retry(AgentTask task, String error) {
    int attempts = task.attempts() + 1;
    return write(() -> tasks.repository().later(task.taskId(), attempts, task.deliveries(), error,
        later(attempts, options.pollInitial()), now()));
  }

  /** Exponential backoff from {@code initial}, capped at the poll maximum, with jitter (50–100 %). */
  private Instant later(int attempts, Duration initial) {
    long base = initial.toMillis() << Math.min(attempts, 20);
    long capped = Math.min(options.pollMax().toMillis(), base);
    long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    return now().plusMillis(Math.max(1, jittered));
  }

  private Instant now() {
    return tasks.clock().instant();
  }

  private Future<Void> write(Runnable work) {
    return tasks.blocking(() -> {
      work.run();
      return null;
    });
  }
}
