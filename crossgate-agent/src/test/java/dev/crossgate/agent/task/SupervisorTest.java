package dev.crossgate.agent.task;

import static dev.crossgate.agent.kit.Futures.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.agent.AgentOptions;
import dev.crossgate.egress.EgressClient;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.store.Database;
import dev.crossgate.task.TaskEnvelope;
import dev.crossgate.time.MutableClock;
import dev.crossgate.trace.Tracing;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor against a loopback gateway that answers as told, over the agent's real task table,
 * on a clock the test moves and with the back-off's randomness fixed: when the next attempt is due
 * is read from the table, so every wait is checked to the millisecond without waiting.
 */
class SupervisorTest {
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
  private static final Duration POLL_INITIAL = Duration.ofMillis(400);

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final MutableClock clock = new MutableClock(T0);

  /**
   * What the fake gateway answers to each submission, in turn: status and Retry-After (or null).
   */
  private final List<String[]> answers = new CopyOnWriteArrayList<>();

  private final List<String> envelopes = new CopyOnWriteArrayList<>();
  private final AtomicReference<Double> draw = new AtomicReference<>(0.0);
  private final AtomicInteger draws = new AtomicInteger();
  private HttpServer gateway;
  private Database database;
  private WorkerExecutor workers;
  private HttpClient client;
  private AgentTasks tasks;
  private Supervisor supervisor;

  @BeforeEach
  void start() {
    gateway =
        join(
            vertx
                .createHttpServer()
                .requestHandler(
                    request ->
                        request
                            .body()
                            .onSuccess(
                                b -> {
                                  envelopes.add(request.getHeader(CrossgateHeaders.ENVELOPE));
                                  var answer = answers.remove(0);
                                  var response =
                                      request
                                          .response()
                                          .setStatusCode(Integer.parseInt(answer[0]))
                                          .putHeader("Content-Type", "application/json");
                                  if (answer[1] != null) {
                                    response.putHeader("Retry-After", answer[1]);
                                  }
                                  response.end(
                                      answer[0].equals("202")
                                          ? "{\"taskId\":\"tk_1\"}"
                                          : "{\"title\":\"busy\"}");
                                }))
                .listen(0, "127.0.0.1"));
    database = Database.open(Database.h2Url(dir, "agent"), "sa", "", 2, "classpath:db/agent");
    workers = vertx.createSharedWorkerExecutor("supervisor-test", 2);
    client = vertx.createHttpClient();
    tasks = new AgentTasks(database, workers, clock);
    var options =
        AgentOptions.defaults(
                "http://127.0.0.1:" + gateway.actualPort(), "key", dir, "whsec_c2VjcmV0")
            .withPolling(POLL_INITIAL, Duration.ofSeconds(30), 4);
    supervisor =
        new Supervisor(
            vertx,
            tasks,
            client,
            EgressClient.create(vertx, client, EgressPolicy.DEFAULT),
            options,
            Tracing.OFF,
            () -> {
              draws.incrementAndGet();
              return draw.get();
            });
  }

  @AfterEach
  void stop() {
    join(client.close());
    join(workers.close());
    database.close();
    join(vertx.close());
  }

  @Test
  void aSubmissionRefusedWith503IsTriedAgainAfterTheRetryAfterTheGatewayAskedFor() {
    answers.add(new String[] {"503", "7"});
    answers.add(new String[] {"202", null});
    var task = newTask();

    supervisor.kick();
    var waiting = awaitTask(task.taskId(), t -> t.attempts() == 1);

    // the lowest draw: the gateway's seven seconds and no jitter on top
    assertThat(waiting.state()).isEqualTo(AgentTask.State.NEW);
    assertThat(waiting.nextAt()).isEqualTo(T0.plusSeconds(7));
    assertThat(waiting.lastError()).contains("503");

    clock.set(T0.plusSeconds(7));
    supervisor.kick();
    var submitted = awaitTask(task.taskId(), t -> t.state() == AgentTask.State.SUBMITTED);

    assertThat(submitted.gatewayTaskId()).isEqualTo("tk_1");
    assertThat(envelopes)
        .hasSize(2)
        .allSatisfy(e -> assertThat(TaskEnvelope.parse(e).taskId()).isEqualTo(task.taskId()));
  }

  @Test
  void aTaskIsNotDueAgainBeforeTheRetryAfterOfA429HasPassed() {
    answers.add(new String[] {"429", "60"});
    draw.set(0.5);
    var task = newTask();

    supervisor.kick();
    var waiting = awaitTask(task.taskId(), t -> t.attempts() == 1);
    var dueJustBefore =
        join(
            tasks.blocking(
                () -> tasks.repository().due(waiting.nextAt().minusMillis(1), 10, List.of())));
    var dueThen =
        join(tasks.blocking(() -> tasks.repository().due(waiting.nextAt(), 10, List.of())));

    // sixty seconds, plus half of one initial back-off (400 ms) of jitter
    assertThat(waiting.nextAt()).isEqualTo(T0.plusSeconds(60).plusMillis(200));
    assertThat(dueJustBefore).isEmpty();
    assertThat(dueThen).extracting(AgentTask::taskId).containsExactly(task.taskId());
  }

  @Test
  void withoutARetryAfterEachFailedAttemptDoublesTheBackoffsCeiling() {
    answers.add(new String[] {"502", null});
    answers.add(new String[] {"502", null});
    draw.set(0.5);
    var task = newTask();

    supervisor.kick();
    var first = awaitTask(task.taskId(), t -> t.attempts() == 1);
    clock.set(first.nextAt());
    supervisor.kick();
    var second = awaitTask(task.taskId(), t -> t.attempts() == 2);

    // half of 400 ms, then half of 800 ms: full jitter under a doubling ceiling
    assertThat(first.nextAt()).isEqualTo(T0.plusMillis(200));
    assertThat(second.nextAt()).isEqualTo(first.nextAt().plusMillis(400));
    assertThat(draws).hasValue(2);
  }

  private AgentTask newTask() {
    return join(
        tasks.create(
            "POST",
            "/async/report",
            null,
            "application/json",
            null,
            Buffer.buffer("{}"),
            id -> TaskEnvelope.pending(id, "/async/report", Map.of()).json()));
  }

  private AgentTask awaitTask(String id, Predicate<AgentTask> condition) {
    var found = new AtomicReference<AgentTask>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              found.set(join(tasks.find(id)).orElseThrow());
              return condition.test(found.get());
            });
    return found.get();
  }
}
