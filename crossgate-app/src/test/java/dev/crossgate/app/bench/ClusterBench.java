package dev.crossgate.app.bench;

import dev.crossgate.admin.ControlPlane;
import dev.crossgate.admin.ControlPlaneOptions;
import dev.crossgate.admin.cluster.ClusterOptions;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.cluster.ClusterClient;
import dev.crossgate.gateway.cluster.ClusterClientOptions;
import dev.crossgate.gateway.cluster.NodePolicy;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.store.TestDatabases;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Time from a route write to "applied on all 3 nodes", over real sockets on PostgreSQL: one control
 * plane and three gateway nodes, each in its own Vert.x instance. Sequential changes at 10,000 and
 * 100,000 routes, then a burst of 50 changes/s with traffic through a node measured alongside (a
 * rebuild must not pause it). Run by bench/cluster/run.sh.
 */
public final class ClusterBench {
  private static final String TOKEN = "cga_bench";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    int changes = Integer.parseInt(System.getProperty("changes", "200"));
    if ("revert".equals(System.getProperty("mode"))) {
      try (var cluster = new Cluster()) {
        cluster.preload(10_000);
        cluster.revert(Integer.parseInt(System.getProperty("reverted", "1000")));
      }
      return;
    }
    for (int routes : new int[] {10_000, 100_000}) {
      try (var cluster = new Cluster()) {
        cluster.preload(routes);
        var sequential = cluster.sequential(changes);
        print("routes=" + routes + " sequential changes=" + changes, sequential);
        if (routes == 100_000) {
          cluster.burst(50, 5);
        }
      }
    }
  }

  private static void print(String label, List<Long> micros) {
    Collections.sort(micros);
    System.out.printf(
        "%-42s p50=%7.1f ms  p99=%7.1f ms  max=%7.1f ms%n",
        label,
        micros.get(micros.size() / 2) / 1000.0,
        micros.get((int) Math.ceil(micros.size() * 0.99) - 1) / 1000.0,
        micros.get(micros.size() - 1) / 1000.0);
  }

  private static final class Cluster implements AutoCloseable {
    final TestDatabases.Handle db = TestDatabases.postgres();
    final Vertx adminVertx = Vertx.vertx();
    final ControlPlane controlPlane;
    final List<Vertx> nodeVertx = new ArrayList<>();
    final List<ClusterClient> nodes = new ArrayList<>();
    final List<GatewayServer> traffic = new ArrayList<>();
    final Vertx upstreamVertx = Vertx.vertx();
    final int upstreamPort;

    Cluster() throws Exception {
      var options =
          ControlPlaneOptions.embedded(Files.createTempDirectory("bench-cp"), "127.0.0.1", 0)
              .withDatabase(db.url(), "postgres", null)
              .withAdminToken(TOKEN)
              .withCluster(ClusterOptions.defaults("bench-cluster"));
      controlPlane = await(ControlPlane.start(adminVertx, options, () -> ""));
      var cp = URI.create("http://127.0.0.1:" + controlPlane.port());
      for (int i = 1; i <= 3; i++) {
        var vertx = Vertx.vertx();
        var client =
            await(
                ClusterClient.start(
                    vertx,
                    new ClusterClientOptions(
                        List.of(cp),
                        "bench-" + i,
                        "bench-cluster",
                        Files.createTempDirectory("bench-node"),
                        NodePolicy.acceptAll(),
                        Duration.ofSeconds(3),
                        "bench")));
        nodeVertx.add(vertx);
        nodes.add(client);
        traffic.add(
            await(
                GatewayServer.start(
                    vertx,
                    GatewayOptions.defaults().withListen("127.0.0.1", 0).withEventLoops(1),
                    client,
                    List.of())));
      }
      upstreamPort =
          await(
                  upstreamVertx
                      .createHttpServer()
                      .requestHandler(r -> r.response().end("ok"))
                      .listen(0, "127.0.0.1"))
              .actualPort();
    }

    void preload(int count) throws Exception {
      var started = System.nanoTime();
      var routes = controlPlane.routes();
      for (int from = 0; from < count; from += 10_000) {
        var batch = new ArrayList<RouteSpec>();
        for (int i = from; i < Math.min(count, from + 10_000); i++) {
          batch.add(spec("/svc" + i + "/items", "http://127.0.0.1:" + upstreamPort + "/r" + i));
        }
        routes.createAll(batch, "bench");
      }
      controlPlane.follower().poke();
      long target = controlPlane.changeLog().latestRevision();
      awaitAll(target, Duration.ofMinutes(5));
      System.out.printf(
          "preloaded %,d routes, on all 3 nodes after %.1f s%n",
          count, (System.nanoTime() - started) / 1e9);
    }

    List<Long> sequential(int changes) throws Exception {
      var micros = new ArrayList<Long>();
      for (int i = 0; i < changes; i++) {
        long t0 = System.nanoTime();
        long revision = post("/seq" + i + "-" + System.nanoTime());
        awaitAll(revision, Duration.ofSeconds(30));
        micros.add((System.nanoTime() - t0) / 1000);
      }
      return micros;
    }

    /**
     * Makes {@code changes} single-revision changes (updates, creates and deletes of routes), then
     * reverts them all through the Admin API and measures until every node carries the hash of the
     * revision before them.
     */
    void revert(int changes) throws Exception {
      var routes = controlPlane.routes();
      long target = controlPlane.changeLog().latestRevision();
      var ids = routes.all().stream().map(dev.crossgate.route.Route::id).sorted().toList();
      for (int i = 0; i < changes; i++) {
        switch (i % 5) {
          case 0, 1 ->
              routes.replace(
                  ids.get(i),
                  spec("/svc-edit" + i + "/items", "http://127.0.0.1:" + upstreamPort + "/e"),
                  "bench",
                  null);
          case 2, 3 ->
              routes.create(
                  spec("/rev" + i + "/items", "http://127.0.0.1:" + upstreamPort + "/n"), "bench");
          default -> routes.delete(ids.get(i), "bench", null);
        }
      }
      controlPlane.follower().poke();
      awaitAll(controlPlane.changeLog().latestRevision(), Duration.ofMinutes(2));
      var hashAtTarget = controlPlane.follower().hashAt(target);
      long t0 = System.nanoTime();
      var response =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:" + controlPlane.port() + "/admin/changes/revert"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"toRevision\":" + target + "}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long answered = System.nanoTime();
      if (response.statusCode() != 200) {
        throw new IllegalStateException(response.statusCode() + " " + response.body());
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (nodes.stream().anyMatch(n -> n.get().hash() != hashAtTarget)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("nodes did not reach the reverted hash");
        }
        LockSupport.parkNanos(100_000);
      }
      long carried = System.nanoTime();
      int steps = dev.crossgate.json.Json.mapper().readTree(response.body()).path("changes").size();
      System.out.printf(
          "revert of %d changes (%d inverse changes) at 10,000 routes: answered after %.1f ms,"
              + " all 3 nodes carry the reverted hash %s after %.1f ms%n",
          changes,
          steps,
          (answered - t0) / 1e6,
          dev.crossgate.config.ConfigHash.hex(hashAtTarget),
          (carried - t0) / 1e6);
    }

    void burst(int perSecond, int seconds) throws Exception {
      var sentAt = new ConcurrentHashMap<Long, Long>();
      var applied = Collections.synchronizedList(new ArrayList<Long>());
      var stop = new AtomicBoolean();
      var watcher = new Thread(() -> watch(sentAt, applied, stop));
      watcher.start();
      var trafficLatencies = Collections.synchronizedList(new ArrayList<Long>());
      var trafficThread = new Thread(() -> traffic(trafficLatencies, stop));
      trafficThread.start();
      var scheduler = Executors.newScheduledThreadPool(4);
      int total = perSecond * seconds;
      var done = new java.util.concurrent.CountDownLatch(total);
      for (int i = 0; i < total; i++) {
        int n = i;
        scheduler.schedule(
            () -> {
              try {
                long t0 = System.nanoTime();
                sentAt.put(post("/burst" + n + "-" + t0), t0);
              } catch (Exception e) {
                System.err.println("burst write failed: " + e);
              } finally {
                done.countDown();
              }
            },
            (long) n * 1000 / perSecond,
            TimeUnit.MILLISECONDS);
      }
      done.await(2, TimeUnit.MINUTES);
      awaitAll(controlPlane.changeLog().latestRevision(), Duration.ofMinutes(1));
      stop.set(true);
      watcher.join();
      trafficThread.join();
      scheduler.shutdown();
      print("burst " + perSecond + " changes/s for " + seconds + " s", new ArrayList<>(applied));
      print("traffic through node 1 during the burst", new ArrayList<>(trafficLatencies));
      System.out.printf(
          "traffic requests during the burst: %d (all 200)%n", trafficLatencies.size());
    }

    private void watch(Map<Long, Long> sentAt, List<Long> applied, AtomicBoolean stop) {
      while (!stop.get()) {
        long lowest = nodes.stream().mapToLong(n -> n.get().revision()).min().orElse(0);
        long now = System.nanoTime();
        for (var e : List.copyOf(sentAt.entrySet())) {
          if (e.getKey() <= lowest && sentAt.remove(e.getKey()) != null) {
            applied.add((now - e.getValue()) / 1000);
          }
        }
        LockSupport.parkNanos(200_000);
      }
    }

    private void traffic(List<Long> latencies, AtomicBoolean stop) {
      var uri = URI.create("http://127.0.0.1:" + traffic.get(0).port() + "/svc1/items/x");
      while (!stop.get()) {
        try {
          long t0 = System.nanoTime();
          var response =
              HTTP.send(
                  HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
          if (response.statusCode() != 200) {
            throw new IllegalStateException("traffic got " + response.statusCode());
          }
          latencies.add((System.nanoTime() - t0) / 1000);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }

    private long post(String path) throws Exception {
      var response =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + controlPlane.port() + "/admin/routes"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"service\":\"bench\",\"sourcePath\":\""
                              + path
                              + "\",\"targetUrl\":\"http://127.0.0.1:"
                              + upstreamPort
                              + "/x\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 201) {
        throw new IllegalStateException(response.statusCode() + " " + response.body());
      }
      return Long.parseLong(response.headers().firstValue("etag").orElseThrow().replace("\"", ""));
    }

    private void awaitAll(long revision, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (nodes.stream().anyMatch(n -> n.get().revision() < revision)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("nodes did not reach revision " + revision);
        }
        LockSupport.parkNanos(100_000);
      }
    }

    private static RouteSpec spec(String path, String target) {
      return new RouteSpec(
          null, "bench", null, null, null, path, null, null, null, null, target, null, null, null,
          null, null, null, null, null, null, null, null, null, null);
    }

    @Override
    public void close() {
      for (var t : traffic) {
        join(t.close());
      }
      for (var n : nodes) {
        join(n.close());
      }
      for (var v : nodeVertx) {
        join(v.close());
      }
      join(controlPlane.close());
      join(adminVertx.close());
      join(upstreamVertx.close());
      db.close();
    }

    // join, not get: AutoCloseable.close must not throw InterruptedException (javac -Xlint:try)
    private static void join(Future<?> f) {
      f.toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.MINUTES).join();
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
  }

  private ClusterBench() {}
}
