package dev.crossgate.app.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.app.CrossgateProcess;
import dev.crossgate.json.Json;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.store.cache.RedisServers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The must-show, with every part real and in its own process: a control plane and two
 * gateway nodes ({@code crossgate admin}, {@code crossgate gateway} ×2) on PostgreSQL, sharing a
 * private redis-server (killed and restarted here, never the machine's). A tenant limited to 50
 * requests/s on a route sends about 200/s spread over both nodes; the accepted requests are counted
 * per second of sending.
 */
class RateLimitClusterIT {
  private static final String TOKEN = "cga_rate-limit-cluster-test-0123456789";
  private static final String CLUSTER_TOKEN = "rate-limit-cluster-token-0123456789abcdef";
  private static final String ADMIN_READY =
      "crossgate admin ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin";
  private static final String NODE_READY =
      "crossgate gateway ready node=\\S+ gateway=http://127\\.0\\.0\\.1:(\\d+)";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** What one request of a run got: the second of the run it was sent in, and its status. */
  private record Answer(int second, int node, int status) {}

  @Test
  void twoNodesShareATenantsLimitThroughRedisAndFallBackToTheirShareWhileItIsDown(@TempDir Path dir)
      throws Exception {
    var upstream =
        com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    upstream.setExecutor(Executors.newFixedThreadPool(4));
    upstream.start();
    var redis = new RedisServers.Private();
    int redisPort = redis.port;
    try (var db = TestDatabases.postgres();
        var controlPlane =
            CrossgateProcess.start(
                "admin",
                "--db",
                db.url(),
                "--db-user",
                "postgres",
                "--admin-port",
                "0",
                "--data-dir",
                dir.resolve("cp").toString(),
                "--admin-token",
                TOKEN,
                "--cluster-token",
                CLUSTER_TOKEN)) {
      var admin =
          URI.create(
              "http://127.0.0.1:"
                  + controlPlane.awaitLine(ADMIN_READY, Duration.ofSeconds(60)).group(1));
      try (var n1 = node(admin, "n1", db.url(), redis.uri(), dir);
          var n2 = node(admin, "n2", db.url(), redis.uri(), dir)) {
        var nodes =
            List.of(
                URI.create(
                    "http://127.0.0.1:"
                        + n1.awaitLine(NODE_READY, Duration.ofSeconds(60)).group(1)),
                URI.create(
                    "http://127.0.0.1:"
                        + n2.awaitLine(NODE_READY, Duration.ofSeconds(60)).group(1)));
        var key = tenantKey(admin, "acme");
        send(
            admin.resolve("/admin/routes"),
            "{\"service\":\"limited\",\"sourcePath\":\"/limited\",\"auth\":\"KEY\","
                + "\"targetUrl\":\"http://127.0.0.1:"
                + upstream.getAddress().getPort()
                + "\",\"rateLimits\":[{\"scope\":\"TENANT\",\"limit\":50,\"window\":\"1s\","
                + "\"burst\":5}]}");
        for (var node : nodes) {
          await()
              .atMost(Duration.ofSeconds(20))
              .until(() -> call(node, key).get().statusCode() == 200);
        }

        var shared = run(nodes, key, 4);
        System.out.println("accepted per second, shared: " + acceptedPerSecond(shared, -1));

        // the first second also spends the burst (5): the two after it are the steady rate
        assertThat(acceptedPerSecond(shared, -1))
            .as("accepted per second, both nodes together, Redis up")
            .allSatisfy(n -> assertThat(n).isBetween(45L, 55L));

        redis.close();
        var local = run(nodes, key, 4);
        System.out.println(
            "accepted per second, Redis down: n1 "
                + acceptedPerSecond(local, 0)
                + " n2 "
                + acceptedPerSecond(local, 1));

        assertThat(local)
            .as("every request answered")
            .allMatch(a -> a.status() == 200 || a.status() == 429);
        for (int node = 0; node < 2; node++) {
          assertThat(acceptedPerSecond(local, node))
              .as("node %d counts alone: 50 / 2 nodes", node + 1)
              .allSatisfy(n -> assertThat(n).isBetween(20L, 30L));
        }
        assertThat(n1.printed("event=rate-limit-redis-unavailable")).isTrue();

        redis = new RedisServers.Private(redisPort);
        for (var node : List.of(n1, n2)) {
          await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () -> {
                    for (var n : nodes) {
                      call(n, key).get();
                    }
                    return node.printed("event=rate-limit-shared-again");
                  });
        }
        var again = run(nodes, key, 4);
        System.out.println("accepted per second, Redis back: " + acceptedPerSecond(again, -1));

        assertThat(acceptedPerSecond(again, -1))
            .as("accepted per second, both nodes together, Redis back")
            .allSatisfy(n -> assertThat(n).isBetween(45L, 55L));
      }
    } finally {
      redis.close();
      upstream.stop(0);
    }
  }

  private CrossgateProcess node(URI admin, String id, String dbUrl, String redisUri, Path dir)
      throws Exception {
    return CrossgateProcess.start(
        "gateway",
        "--control-plane",
        admin.toString(),
        "--node-id",
        id,
        "--cluster-token",
        CLUSTER_TOKEN,
        "--db",
        dbUrl,
        "--db-user",
        "postgres",
        "--gateway-port",
        "0",
        "--node-admin-port",
        "0",
        "--data-dir",
        dir.resolve(id).toString(),
        "--redis",
        redisUri,
        "--rate-limit-nodes",
        "2",
        // only an outage switches a node to local counting here, not a slow answer of a Redis
        // sharing the machine with the test (a node counting alone while the other shares lets
        // 25 + 50 through in a second)
        "--rate-limit-redis-timeout",
        "PT2S");
  }

  /**
   * About 200 requests a second for {@code seconds} seconds, alternately to each node, without
   * waiting for answers (a request every 5 ms).
   */
  private List<Answer> run(List<URI> nodes, String key, int seconds) throws Exception {
    var timer = Executors.newSingleThreadScheduledExecutor();
    var calls = new ArrayList<CompletableFuture<Answer>>();
    long start = System.nanoTime();
    int total = seconds * 200;
    var sent = new CompletableFuture<Void>();
    timer.scheduleAtFixedRate(
        () -> {
          synchronized (calls) {
            if (calls.size() >= total) {
              sent.complete(null);
              return;
            }
            int node = calls.size() % 2;
            int second = (int) ((System.nanoTime() - start) / 1_000_000_000L);
            calls.add(
                call(nodes.get(node), key)
                    .thenApply(r -> new Answer(second, node, r.statusCode())));
          }
        },
        0,
        5,
        TimeUnit.MILLISECONDS);
    sent.get(seconds + 30L, TimeUnit.SECONDS);
    timer.shutdownNow();
    synchronized (calls) {
      return calls.stream().map(CompletableFuture::join).toList();
    }
  }

  /**
   * Accepted requests per whole second of sending, leaving out the first (it also spends the burst)
   * and the last (cut short); of one node or (-1) both.
   */
  private static List<Long> acceptedPerSecond(List<Answer> answers, int node) {
    int last = answers.stream().mapToInt(Answer::second).max().orElse(0);
    var counts = new ArrayList<Long>();
    for (int s = 1; s < last; s++) {
      int second = s;
      counts.add(
          answers.stream()
              .filter(a -> a.second() == second && (node < 0 || a.node() == node))
              .filter(a -> a.status() == 200)
              .count());
    }
    return counts;
  }

  private CompletableFuture<HttpResponse<Void>> call(URI node, String key) {
    return http.sendAsync(
        HttpRequest.newBuilder(node.resolve("/limited/x"))
            .header("X-Api-Key", key)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  private String tenantKey(URI admin, String tenant) throws Exception {
    send(
        admin.resolve("/admin/tenants"), "{\"id\":\"" + tenant + "\",\"name\":\"" + tenant + "\"}");
    return Json.read(
            send(admin.resolve("/admin/tenants/" + tenant + "/keys"), "{}").body(), JsonNode.class)
        .path("key")
        .asText();
  }

  private HttpResponse<String> send(URI uri, String json) throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("POST %s: %s", uri, response.body()).isBetween(200, 299);
    return response;
  }
}
