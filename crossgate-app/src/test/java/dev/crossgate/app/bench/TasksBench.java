package dev.crossgate.app.bench;

import dev.crossgate.agent.Agent;
import dev.crossgate.agent.AgentOptions;
import dev.crossgate.auth.Secrets;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.json.Json;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.route.RouteTable;
import dev.crossgate.route.RouteValidator;
import dev.crossgate.store.Database;
import dev.crossgate.tenant.ApiKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What bench/tasks/run.sh measures, in one JVM on loopback: (1) 10,000 pending async tasks on one
 * gateway (task table in an H2 file, or PostgreSQL with {@code JDBC_URL}) — heap used after GC and
 * the p99 of {@code GET /_tasks/{id}} polls; (2) sync requests through agent + gateway versus
 * straight to the upstream — throughput, p99 and the ratio. A closed loop of {@code CONCURRENCY}
 * requests in flight; figures are printed as {@code bench key=value} lines.
 */
public final class TasksBench {
  private static final Logger LOG = LoggerFactory.getLogger("crossgate.bench");
  private static final String KEY = "bench-key";

  private TasksBench() {}

  public static void main(String[] args) throws Exception {
    int tasks = Integer.parseInt(env("TASKS", "10000"));
    int polls = Integer.parseInt(env("POLLS", "20000"));
    int syncRequests = Integer.parseInt(env("SYNC_REQUESTS", "20000"));
    int concurrency = Integer.parseInt(env("CONCURRENCY", "64"));
    var work = Files.createTempDirectory("crossgate-tasks-bench");
    var vertx = Vertx.vertx();
    var upstream =
        await(
            vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(
                    req -> {
                      if (req.path().startsWith("/query")) {
                        req.response()
                            .putHeader("Content-Type", "text/plain")
                            .end("x".repeat(1024));
                      } else {
                        // an async interface that acknowledges and never answers: the tasks stay
                        // pending
                        req.body().onSuccess(b -> req.response().setStatusCode(202).end());
                      }
                    })
                .listen());
    var url = System.getenv("JDBC_URL") == null ? Database.h2Url(work) : System.getenv("JDBC_URL");
    var db = Database.open(url, System.getenv("JDBC_USER"), null, 16);
    var base = "http://127.0.0.1:" + upstream.actualPort();
    var now = Instant.now();
    var routes =
        List.of(
            RouteValidator.validate("q", spec("/q", base + "/query", "SYNC"), "bench", now, now),
            RouteValidator.validate(
                "a", spec("/analyse", base + "/analyse", "ASYNC"), "bench", now, now));
    var hash = Secrets.sha256Hex(KEY);
    var config =
        new GatewayConfig(
            1,
            RouteTable.of(routes, 1),
            List.of(),
            Map.of(hash, new ApiKey("k", "bench", null, hash, "bench", now)));
    var gateway =
        await(
            GatewayServer.start(
                vertx,
                GatewayOptions.defaults()
                    .withListen("127.0.0.1", 0)
                    .withEventLoops(2)
                    .withAccessLogJson(false),
                () -> config,
                List.of(),
                new GatewayServices(
                    db,
                    // no quota: TASKS pending tasks are the point (the usage query still runs per
                    // create)
                    TaskOptions.defaults(work).withQuota(new TaskOptions.Quota(0, 0, 0)))));
    var agent =
        await(
            Agent.start(
                vertx,
                AgentOptions.defaults(
                        "http://127.0.0.1:" + gateway.port(),
                        KEY,
                        work.resolve("agent"),
                        "bench-secret")
                    .withListen("127.0.0.1", 0)));
    var client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(concurrency));

    // (1) pending tasks
    var ids = new String[tasks];
    var created =
        run(
            client,
            tasks,
            concurrency,
            i -> post(gateway.port(), "/async/analyse"),
            (i, body) ->
                ids[i] = String.valueOf(Json.read(body.toString(), Map.class).get("taskId")));
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    var polled =
        run(
            client,
            polls,
            concurrency,
            i -> get(gateway.port(), "/_tasks/" + ids[ThreadLocalRandom.current().nextInt(tasks)]),
            null);
    LOG.info(
        "bench pending tasks={} createPerSecond={} heapUsedAfterGcMiB={} db={}",
        tasks,
        created.perSecond(),
        heap >> 20,
        db.isPostgres() ? "postgres" : "h2");
    LOG.info(
        "bench polls n={} perSecond={} p50Ms={} p99Ms={}",
        polls,
        polled.perSecond(),
        polled.p(50),
        polled.p(99));

    // (2) sync: straight to the upstream, then through agent + gateway
    run(client, 2_000, concurrency, i -> get(upstream.actualPort(), "/query"), null);
    var direct =
        run(
            client,
            syncRequests,
            concurrency,
            i -> get(upstream.actualPort(), "/query?city=x"),
            null);
    run(client, 2_000, concurrency, i -> get(agent.port(), "/q?city=x"), null);
    var viaAgent =
        run(client, syncRequests, concurrency, i -> get(agent.port(), "/q?city=x"), null);
    LOG.info(
        "bench sync direct perSecond={} p50Ms={} p99Ms={}",
        direct.perSecond(),
        direct.p(50),
        direct.p(99));
    LOG.info(
        "bench sync agent+gateway perSecond={} p50Ms={} p99Ms={} throughputRatio={}",
        viaAgent.perSecond(),
        viaAgent.p(50),
        viaAgent.p(99),
        String.format("%.2f", viaAgent.perSecond() / (double) direct.perSecond()));

    await(agent.close());
    await(gateway.close());
    db.close();
    await(vertx.close());
  }

  private static RouteSpec spec(String path, String target, String mode) {
    return new RouteSpec(
        null,
        "bench",
        null,
        null,
        null,
        path,
        null,
        null,
        null,
        null,
        target,
        mode,
        mode.equals("ASYNC") ? "CALLBACK" : null,
        List.of(),
        null,
        "KEY",
        null,
        null,
        null,
        true,
        null,
        null,
        null,
        null);
  }

  private static RequestOptions get(int port, String uri) {
    return new RequestOptions()
        .setHost("127.0.0.1")
        .setPort(port)
        .setURI(uri)
        .setMethod(HttpMethod.GET)
        .addHeader("X-Api-Key", KEY);
  }

  private static RequestOptions post(int port, String uri) {
    return get(port, uri).setMethod(HttpMethod.POST);
  }

  /** Latencies of one closed-loop run, in nanoseconds. */
  record Run(long[] nanos, long elapsedNanos) {
    long perSecond() {
      return Math.round(nanos.length / (elapsedNanos / 1e9));
    }

    String p(int percentile) {
      int i = Math.min(nanos.length - 1, (int) Math.ceil(percentile / 100.0 * nanos.length) - 1);
      return String.format("%.2f", nanos[Math.max(0, i)] / 1e6);
    }
  }

  interface BodyHandler {
    void accept(int index, Buffer body);
  }

  private static Run run(
      HttpClient client,
      int n,
      int concurrency,
      IntFunction<RequestOptions> request,
      BodyHandler onBody)
      throws Exception {
    var nanos = new long[n];
    var next = new AtomicInteger();
    var done = Promise.<Void>promise();
    var finished = new AtomicInteger();
    long start = System.nanoTime();
    for (int c = 0; c < Math.min(concurrency, n); c++) {
      loop(client, n, request, onBody, nanos, next, finished, done);
    }
    done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    long elapsed = System.nanoTime() - start;
    Arrays.sort(nanos);
    return new Run(nanos, elapsed);
  }

  private static void loop(
      HttpClient client,
      int n,
      IntFunction<RequestOptions> request,
      BodyHandler onBody,
      long[] nanos,
      AtomicInteger next,
      AtomicInteger finished,
      Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= n) {
      return;
    }
    long t0 = System.nanoTime();
    client
        .request(request.apply(i))
        .compose(req -> req.send())
        .compose(
            resp ->
                resp.body()
                    .map(
                        b -> {
                          if (resp.statusCode() >= 400) {
                            throw new IllegalStateException(
                                "status " + resp.statusCode() + ": " + b);
                          }
                          return b;
                        }))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                done.tryFail(ar.cause());
                return;
              }
              nanos[i] = System.nanoTime() - t0;
              if (onBody != null) {
                onBody.accept(i, ar.result());
              }
              if (finished.incrementAndGet() == n) {
                done.tryComplete();
              } else {
                loop(client, n, request, onBody, nanos, next, finished, done);
              }
            });
  }

  private static String env(String name, String fallback) {
    var v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
