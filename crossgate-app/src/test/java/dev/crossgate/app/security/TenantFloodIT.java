package dev.crossgate.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.app.CrossgateProcess;
import dev.crossgate.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flood from the issue that filed "Bounded under abuse", against the real standalone process
 * with a small heap ({@code -Xmx256m}, as {@link CrossgateProcess} starts it): one tenant sends 2 ×
 * 32 async requests of 15 MB in parallel while another tenant keeps calling a sync route. Bodies
 * that large are spooled to disk as they arrive, so the flood fills the tenant's task quota (256
 * MiB of pending request bodies), not the heap: the flooding tenant gets 202s, then 429 problems;
 * the other tenant is served throughout; the process never runs out of memory and its store still
 * answers afterwards.
 */
class TenantFloodIT {
  private static final String TOKEN = "cga_flood-test-token-0123456789";
  private static final String READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin .* gateway=http://127\\.0\\.0\\.1:(\\d+)";
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The calm tenant's own client: its connections are not the ones the flood's refusals close. */
  private final HttpClient calmHttp =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aFloodingTenantIsRefusedWithProblemsWhileAnotherIsServedAndTheNodeSurvives(
      @TempDir Path dataDir) throws Exception {
    try (var node = CrossgateProcess.standalone(dataDir, "--admin-token", TOKEN)) {
      var ready = node.awaitLine(READY, Duration.ofSeconds(60));
      var admin = URI.create("http://127.0.0.1:" + ready.group(1));
      var gateway = URI.create("http://127.0.0.1:" + ready.group(2));
      var flooder = tenantKey(admin, "flood");
      var calm = tenantKey(admin, "calm");
      // callback tasks whose upstream accepts them and never posts a result (they stay pending);
      // a sync route to the admin port
      var upstream =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      upstream.createContext(
          "/",
          exchange -> {
            exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
          });
      upstream.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
      upstream.start();
      send(
          admin.resolve("/admin/routes"),
          "POST",
          "{\"service\":\"bulk\",\"sourcePath\":\"/bulk\",\"mode\":\"ASYNC\","
              + "\"auth\":\"KEY\",\"methods\":[\"POST\"],\"targetUrl\":\"http://127.0.0.1:"
              + upstream.getAddress().getPort()
              + "/x\"}",
          TOKEN);
      send(
          admin.resolve("/admin/routes"),
          "POST",
          "{\"service\":\"calm\",\"sourcePath\":\"/calm\",\"auth\":\"KEY\","
              + "\"methods\":[\"GET\"],\"targetUrl\":\""
              + admin
              + "\"}",
          TOKEN);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(gateway.resolve("/calm/healthz"), calm).statusCode() == 200);

      var body = new byte[15 << 20];
      var floodAnswers = new ConcurrentHashMap<String, AtomicInteger>();
      var calmStatuses = Collections.synchronizedList(new ArrayList<Integer>());
      var calmMillis = Collections.synchronizedList(new ArrayList<Long>());
      var calmCaller =
          new Thread(
              () -> {
                for (int i = 0; i < 60; i++) {
                  long started = System.nanoTime();
                  try {
                    calmStatuses.add(
                        calmHttp
                            .send(
                                HttpRequest.newBuilder(gateway.resolve("/calm/healthz"))
                                    .header("X-Api-Key", calm)
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                                HttpResponse.BodyHandlers.discarding())
                            .statusCode());
                  } catch (IOException | InterruptedException e) {
                    calmStatuses.add(-1);
                    System.out.println("calm call failed: " + e);
                  }
                  calmMillis.add((System.nanoTime() - started) / 1_000_000);
                }
              },
              "calm-tenant");
      calmCaller.start();
      for (int wave = 0; wave < 2; wave++) {
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
          inFlight.add(
              http.sendAsync(
                      HttpRequest.newBuilder(gateway.resolve("/async/bulk"))
                          .header("X-Api-Key", flooder)
                          .timeout(Duration.ofSeconds(60))
                          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .handle(
                      (response, failure) -> {
                        var answer =
                            failure != null
                                ? "connection closed while sending"
                                : response.statusCode()
                                    + " "
                                    + Json.read(
                                            response.body().isEmpty() ? "{}" : response.body(),
                                            JsonNode.class)
                                        .path("type")
                                        .asText("/accepted")
                                        .replaceAll(".*/", "");
                        floodAnswers
                            .computeIfAbsent(answer, a -> new AtomicInteger())
                            .incrementAndGet();
                        return null;
                      }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
      }
      calmCaller.join(120_000);

      var sorted = new ArrayList<>(calmMillis);
      Collections.sort(sorted);
      System.out.printf(
          "flood answers %s; calm tenant %d calls, p50 %d ms, p99 %d ms%n",
          floodAnswers,
          sorted.size(),
          sorted.get(sorted.size() / 2),
          sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1));
      assertThat(calmStatuses)
          .as("the other tenant is served throughout; the node said:%n%s", tail(node.output()))
          .hasSize(60)
          .containsOnly(200);
      assertThat(floodAnswers.keySet())
          .as("the flooder gets 202 or a problem, never a 500")
          .allSatisfy(
              answer ->
                  assertThat(answer)
                      .matches(
                          "202 accepted|429 (task-quota-exceeded|tenant-in-flight-limit)|503 buffer-budget-exhausted"
                              + "|connection closed while sending"));
      assertThat(floodAnswers)
          .as("the tenant's pending-bytes quota was reached")
          .containsKey("429 task-quota-exceeded");
      assertThat(node.printed("OutOfMemoryError")).as("no OOM:\n%s", node.output()).isFalse();
      assertThat(get(admin.resolve("/admin/tasks?limit=1"), null).statusCode())
          .as("the store answers")
          .isEqualTo(200);
      assertThat(node.stop()).as("a clean stop").isIn(0, 143);
      upstream.stop(0);
    }
  }

  private static String tail(String output) {
    var lines = output.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  private String tenantKey(URI admin, String tenant) throws Exception {
    send(
        admin.resolve("/admin/tenants"),
        "POST",
        "{\"id\":\"" + tenant + "\",\"name\":\"" + tenant + "\"}",
        TOKEN);
    return Json.read(
            send(admin.resolve("/admin/tenants/" + tenant + "/keys"), "POST", "{}", TOKEN).body(),
            JsonNode.class)
        .path("key")
        .asText();
  }

  private HttpResponse<String> send(URI uri, String method, String json, String token)
      throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as("%s %s: %s", method, uri, response.body())
        .isBetween(200, 299);
    return response;
  }

  private HttpResponse<String> get(URI uri, String key) throws IOException, InterruptedException {
    var request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    request.header("Authorization", "Bearer " + (key == null ? TOKEN : key));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
