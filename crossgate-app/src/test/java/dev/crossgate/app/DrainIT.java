package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM drains before it closes: readiness turns 503 on both ports at once, while a request
 * already in flight through the gateway still completes.
 */
class DrainIT {
  private static final String TOKEN = "cga_drain-test-token-0123456789";
  private static final String READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin .* gateway=http://127\\.0\\.0\\.1:(\\d+)";
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void onSigtermReadinessTurns503WhileASlowRequestInFlightStillCompletes(@TempDir Path dataDir)
      throws Exception {
    var arrived = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var upstream = slowUpstream(arrived, release);
    try (var standalone =
        CrossgateProcess.standalone(dataDir, "--admin-token", TOKEN, "--drain-period", "PT5S")) {
      var ready = standalone.awaitLine(READY, Duration.ofSeconds(60));
      var admin = "http://127.0.0.1:" + ready.group(1);
      var gateway = "http://127.0.0.1:" + ready.group(2);
      var route =
          http.send(
              HttpRequest.newBuilder(URI.create(admin + "/admin/routes"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"service\":\"slow\",\"sourcePath\":\"/slow\",\"targetUrl\":"
                              + "\"http://127.0.0.1:"
                              + upstream.getAddress().getPort()
                              + "/work\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(route.statusCode()).isEqualTo(201);
      assertThat(get(admin + "/readyz").statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> get(gateway + "/_ready").statusCode() == 200);
      var inFlight =
          http.sendAsync(
              HttpRequest.newBuilder(URI.create(gateway + "/slow/job"))
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(arrived.await(30, TimeUnit.SECONDS))
          .as("the request reached the upstream")
          .isTrue();

      standalone.terminate();

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> get(admin + "/readyz").statusCode() == 503);
      var draining = get(gateway + "/_ready");
      release.countDown();
      var completed = inFlight.get(60, TimeUnit.SECONDS);
      assertThat(draining.statusCode()).isEqualTo(503);
      assertThat(draining.body()).contains("draining");
      assertThat(draining.headers().firstValue("retry-after")).isPresent();
      assertThat(completed.statusCode()).isEqualTo(200);
      assertThat(completed.body()).isEqualTo("done");
      assertThat(standalone.waitFor(Duration.ofSeconds(60))).isIn(0, 143);
      assertThat(standalone.output())
          .contains(
              "event=draining role=standalone drainPeriodMs=5000", "crossgate standalone stopped");
    } finally {
      release.countDown();
      upstream.stop(0);
    }
  }

  /** An upstream that holds each request until {@code release}, then answers 200 "done". */
  private static HttpServer slowUpstream(CountDownLatch arrived, CountDownLatch release)
      throws Exception {
    var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/",
        exchange -> {
          arrived.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          var body = "done".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (var out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return server;
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
