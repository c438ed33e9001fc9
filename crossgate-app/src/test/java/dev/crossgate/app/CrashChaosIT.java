package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.json.Json;
import dev.crossgate.store.PrivatePostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments of a mixed write load, with the real standalone process: route
 * creations through the Admin API and async tasks through the traffic port run side by side, every
 * write answered 2xx is recorded, the process is killed (SIGKILL) after a random number of
 * acknowledged writes, and restarted on the same store. Each start must open the store and find
 * every write acknowledged before any earlier kill.
 *
 * <p>Rounds: 8 by default (CI); {@code -Dcrossgate.chaos.rounds=50} for the long mode. The kill
 * points come from one seeded {@link Random}; every failure names the seed, and {@code
 * -Dcrossgate.chaos.seed=N} replays it. PostgreSQL runs as a private cluster of this test's ({@link
 * PrivatePostgres}); the Crossgate process is killed, and once the postmaster too.
 */
class CrashChaosIT {
  private static final String TOKEN = "cga_crash-chaos-it-admin-token-0123456789";
  private static final String READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin .* gateway=http://127\\.0\\.0\\.1:(\\d+)";
  private static final int ROUNDS = Integer.getInteger("crossgate.chaos.rounds", 8);
  private static final long SEED = Long.getLong("crossgate.chaos.seed", System.nanoTime());

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesKillNineOnTheEmbeddedStore() throws Exception {
    runRounds(List.of("--data-dir", dir.resolve("data").toString()), null);
  }

  @Test
  void everyAcknowledgedWriteSurvivesKillNineOnPostgres() throws Exception {
    try (var pg = PrivatePostgres.start()) {
      runRounds(
          List.of(
              "--data-dir",
              dir.resolve("data").toString(),
              "--db",
              "jdbc:postgresql://" + pg.hostPort() + "/postgres",
              "--db-user",
              "postgres"),
          pg);
    }
  }

  private void runRounds(List<String> storeArgs, PrivatePostgres pg) throws Exception {
    var random = new Random(SEED);
    var routes = new ArrayList<String>();
    var tasks = new ArrayList<String>();
    String key = null;
    int postmasterKillRound = pg == null ? -1 : 1 + random.nextInt(ROUNDS);
    for (int round = 0; round <= ROUNDS; round++) {
      var context =
          "seed=" + SEED + " round=" + round + " (replay: -Dcrossgate.chaos.seed=" + SEED + ")";
      System.out.println("crash chaos " + context);
      if (round == postmasterKillRound) {
        pg.killPostmaster();
      }
      var args =
          new ArrayList<>(
              List.of(
                  "standalone",
                  "--admin-port",
                  "0",
                  "--gateway-port",
                  "0",
                  "--admin-token",
                  TOKEN));
      args.addAll(storeArgs);
      var node = CrossgateProcess.start(args.toArray(String[]::new));
      try {
        var ready = node.awaitLine(READY, Duration.ofSeconds(60));
        var admin = URI.create("http://127.0.0.1:" + ready.group(1));
        var gateway = URI.create("http://127.0.0.1:" + ready.group(2));

        for (var id : routes) {
          assertThat(send(admin.resolve("/admin/routes/" + id), "GET", null, null).statusCode())
              .as("acknowledged route %s after the kill; %s", id, context)
              .isEqualTo(200);
        }
        for (var location : tasks) {
          assertThat(send(gateway.resolve(location), "GET", null, key).statusCode())
              .as("acknowledged task %s after the kill; %s", location, context)
              .isEqualTo(200);
        }
        if (round == ROUNDS) {
          break;
        }
        if (key == null) {
          key = declareAsyncInterface(admin, gateway);
        }

        var load = new Load(admin, gateway, key, round);
        load.start();
        int killAfter = 1 + random.nextInt(30);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> load.acknowledged() >= killAfter || !load.surprises.isEmpty());
        node.kill();
        load.stop();

        assertThat(load.surprises)
            .as("answers other than 2xx before the kill; %s", context)
            .isEmpty();
        routes.addAll(load.routes);
        tasks.addAll(load.tasks);
      } finally {
        node.close();
      }
    }
    assertThat(routes.size() + tasks.size()).isGreaterThanOrEqualTo(ROUNDS);
  }

  /**
   * A tenant with a key and an async interface the gateway holds (its upstream refuses: the task
   * fails, stored).
   */
  private String declareAsyncInterface(URI admin, URI gateway) throws Exception {
    send(admin.resolve("/admin/tenants"), "POST", "{\"id\":\"acme\",\"name\":\"Acme\"}", null);
    var key =
        Json.read(
                send(admin.resolve("/admin/tenants/acme/keys"), "POST", "{}", null).body(),
                JsonNode.class)
            .path("key")
            .asText();
    send(
        admin.resolve("/admin/routes"),
        "POST",
        "{\"service\":\"chaos\",\"sourcePath\":\"/work\",\"mode\":\"ASYNC\","
            + "\"asyncExecution\":\"HELD\",\"auth\":\"KEY\",\"methods\":[\"POST\"],\"targetUrl\":\"http://127.0.0.1:1/work\"}",
        null);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> send(gateway.resolve("/_interfaces"), "GET", null, key).body().contains("/work"));
    return key;
  }

  /**
   * Two writers until stopped: route creations and task submissions; only complete 2xx answers
   * count.
   */
  private final class Load {
    final Queue<String> routes = new ConcurrentLinkedQueue<>();
    final Queue<String> tasks = new ConcurrentLinkedQueue<>();
    final Queue<String> surprises = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean killed = new AtomicBoolean();
    private final AtomicInteger sequence = new AtomicInteger();
    private final List<Thread> writers;

    Load(URI admin, URI gateway, String key, int round) {
      writers =
          List.of(
              new Thread(
                  () ->
                      write(
                          () -> {
                            var path = "/r" + round + "-" + sequence.incrementAndGet();
                            var response =
                                send(
                                    admin.resolve("/admin/routes"),
                                    "POST",
                                    "{\"service\":\"shop\",\"sourcePath\":\""
                                        + path
                                        + "\",\"targetUrl\":\"http://127.0.0.1:1/x\"}",
                                    null);
                            return acknowledged(
                                response,
                                201,
                                routes,
                                Json.read(response.body(), JsonNode.class).path("id").asText());
                          }),
                  "chaos-routes"),
              new Thread(
                  () ->
                      write(
                          () -> {
                            var response =
                                http.send(
                                    HttpRequest.newBuilder(gateway.resolve("/async/work"))
                                        .header("X-Api-Key", key)
                                        .timeout(Duration.ofSeconds(10))
                                        .POST(HttpRequest.BodyPublishers.ofString("round " + round))
                                        .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            return acknowledged(
                                response,
                                202,
                                tasks,
                                response.headers().firstValue("Location").orElse("?"));
                          }),
                  "chaos-tasks"));
    }

    void start() {
      writers.forEach(Thread::start);
    }

    int acknowledged() {
      return routes.size() + tasks.size();
    }

    void stop() throws InterruptedException {
      killed.set(true);
      for (var writer : writers) {
        writer.join(30_000);
      }
    }

    private boolean acknowledged(
        HttpResponse<String> response, int expected, Queue<String> into, String id) {
      if (response.statusCode() != expected) {
        if (!killed.get()) {
          surprises.add(response.statusCode() + " " + response.body());
        }
        return false;
      }
      into.add(id);
      return true;
    }

    private void write(Write write) {
      while (!killed.get()) {
        try {
          write.once();
        } catch (IOException e) {
          // the process is gone: this write was never acknowledged
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  @FunctionalInterface
  private interface Write {
    boolean once() throws IOException, InterruptedException;
  }

  private HttpResponse<String> send(URI uri, String method, String json, String apiKey)
      throws IOException, InterruptedException {
    var request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (apiKey == null) {
      request.header("Authorization", "Bearer " + TOKEN);
    } else {
      request.header("X-Api-Key", apiKey);
    }
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
