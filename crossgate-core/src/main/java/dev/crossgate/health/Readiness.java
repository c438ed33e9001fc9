package dev.crossgate.health;

import dev.crossgate.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whether this process should be sent traffic: the one answer behind every role's {@code /readyz}
 * (admin ports) and a gateway node's {@code /_ready} (traffic port). Ready when the process is not
 * draining and every required check passes within {@link #CHECK_TIMEOUT}.
 *
 * <p>A check that does not answer in time counts as failed, so a probe is answered within a second
 * even when the database hangs (a pool waits up to its connection timeout, 10 s). A check still
 * running is joined, not started again: a hung database holds one worker thread however often load
 * balancers probe.
 *
 * <p>Draining: on SIGTERM a role calls {@link #drain()} first, so load balancers stop sending new
 * requests during its drain period, and only then closes its listeners.
 *
 * <p>Thread-safe. {@link #answer()} completes on the caller's context (an event loop), whichever
 * thread a check completes on.
 */
public final class Readiness {
  /** Probes of Kubernetes and cloud load balancers time out after 1 s by default. */
  public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);

  /** What a 503 asks a prober or client to wait: about one probe period. */
  static final int RETRY_AFTER_SECONDS = 5;

  private final List<Required> checks = new CopyOnWriteArrayList<>();
  private volatile boolean draining;

  /** One part of readiness, e.g. "the database answers" or "a configuration was applied". */
  @FunctionalInterface
  public interface Check {
    /**
     * Completes with the facts a ready answer shows (e.g. {@code revision}), or fails with {@link
     * NotReady} saying why not; any other failure is shown as "check failed", its cause never.
     * Called on the prober's event loop: must not block.
     */
    Future<Map<String, Object>> run();
  }

  /** Why a check fails, in words safe to show a prober. */
  public static final class NotReady extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotReady(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * What {@code /readyz} answers: 200 with {@link #body()}, or 503 with {@link #problem()} ({@code
   * Retry-After} included).
   *
   * @param facts what the checks reported, by check (when ready)
   * @param problem why not ready, or null
   */
  public record Answer(Map<String, Object> facts, Problem problem) {
    public Answer {
      facts = Map.copyOf(facts);
    }

    public boolean ready() {
      return problem == null;
    }

    /** The JSON body of a ready answer: {@code {"status":"ready", ...facts}}. */
    public Map<String, Object> body() {
      var body = new LinkedHashMap<String, Object>();
      body.put("status", "ready");
      body.putAll(facts);
      return body;
    }

    static Answer notReady(String detail) {
      return new Answer(
          Map.of(),
          Problem.of("not-ready", "Not ready", 503, detail)
              .with("retryAfter", RETRY_AFTER_SECONDS));
    }
  }

  /** Adds a check every ready answer needs; {@code name} prefixes its reasons. Returns this. */
  public Readiness require(String name, Check check) {
    checks.add(new Required(name, check));
    return this;
  }

  /** From now on not ready, for good: the process is shutting down. */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  /** Runs every check (bounded by {@link #CHECK_TIMEOUT}); never fails. */
  public Future<Answer> answer() {
    if (draining) {
      return Future.succeededFuture(Answer.notReady("draining: this process is shutting down"));
    }
    var outcomes = checks.stream().map(Required::outcome).toList();
    var caller = Vertx.currentContext();
    Promise<Answer> answered = Promise.promise();
    Future.join(outcomes)
        .onComplete(
            ignored -> {
              var facts = new LinkedHashMap<String, Object>();
              for (var outcome : outcomes) {
                var result = outcome.result();
                if (result.reason() != null) {
                  complete(answered, caller, Answer.notReady(result.reason()));
                  return;
                }
                facts.putAll(result.facts());
              }
              // the drain may have begun while the checks ran
              complete(
                  answered,
                  caller,
                  draining
                      ? Answer.notReady("draining: this process is shutting down")
                      : new Answer(facts, null));
            });
    return answered.future();
  }

  private static void complete(
      Promise<Answer> answered, io.vertx.core.Context caller, Answer answer) {
    if (caller == null || Vertx.currentContext() == caller) {
      answered.complete(answer);
    } else {
      caller.runOnContext(v -> answered.complete(answer));
    }
  }

  /** A check's result: its facts, or why it failed. */
  private record Outcome(Map<String, Object> facts, String reason) {}

  private static final class Required {
    private final String name;
    private final Check check;

    /** The run in progress or last finished; joined while in progress. */
    private Future<Map<String, Object>> running;

    Required(String name, Check check) {
      this.name = name;
      this.check = check;
    }

    private synchronized Future<Map<String, Object>> running() {
      if (running == null || running.isComplete()) {
        try {
          running = check.run();
        } catch (RuntimeException e) {
          running = Future.failedFuture(e);
        }
      }
      return running;
    }

    Future<Outcome> outcome() {
      return running()
          .timeout(CHECK_TIMEOUT)
          .transform(
              ar ->
                  Future.succeededFuture(
                      ar.succeeded()
                          ? new Outcome(ar.result() == null ? Map.of() : ar.result(), null)
                          : new Outcome(Map.of(), name + ": " + reason(ar.cause()))));
    }

    private static String reason(Throwable failure) {
      if (failure instanceof NotReady) {
        return failure.getMessage();
      }
      if (failure instanceof java.util.concurrent.TimeoutException) {
        return "no answer within " + CHECK_TIMEOUT.toMillis() + " ms";
      }
      return "check failed";
    }
  }
}
