package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code crossgate standalone --config FILE} and {@code crossgate gateway --config FILE} as real
 * processes: they serve traffic from the file with no database for configuration and no control
 * plane, take an edit of the file, refuse a broken edit while traffic continues on the
 * configuration in service, and keep their Admin API read-only.
 */
class DbLessIT {
  private static final Logger LOG = LoggerFactory.getLogger(DbLessIT.class);
  private static final String TOKEN = "cga_dbless-test-token-0123456789";
  private static final String READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin .*"
          + " gateway=http://127\\.0\\.0\\.1:(\\d+).* config=(\\S+)";
  private static final String GATEWAY_READY =
      "crossgate gateway ready gateway=http://127\\.0\\.0\\.1:(\\d+).*"
          + " nodeAdmin=http://127\\.0\\.0\\.1:(\\d+) config=(\\S+)";

  @TempDir Path dir;
  private HttpServer upstream;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startUpstream() throws Exception {
    // answers with the path it was asked for, so a test sees which target a route reached
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext(
        "/",
        exchange -> {
          var body = exchange.getRequestURI().getPath().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    upstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.stop(0);
  }

  @Test
  void servesTheFileTakesAnEditRefusesABrokenOneAndStaysReadOnly() throws Exception {
    var file = dir.resolve("crossgate.yaml");
    write(file, config("/one"));

    try (var node =
        CrossgateProcess.standalone(
            dir.resolve("data"), "--config", file.toString(), "--admin-token", TOKEN)) {
      var ready = node.awaitLine(READY, Duration.ofSeconds(90));
      var admin = "http://127.0.0.1:" + ready.group(1);
      var gateway = "http://127.0.0.1:" + ready.group(2);

      assertThat(ready.group(3)).isEqualTo(file.toAbsolutePath().toString());
      servesEditsRefusesABrokenOneAndOnlyReads("standalone", node, file, gateway, admin);
      node.stop();
    }
  }

  /**
   * The file's route is served; an edit takes effect; a broken edit is refused with its line while
   * traffic stays; the Admin API reads and refuses writes naming the file; the next good edit is
   * served again.
   */
  private void servesEditsRefusesABrokenOneAndOnlyReads(
      String role, CrossgateProcess node, Path file, String gateway, String admin)
      throws Exception {
    assertThat(get(gateway + "/demo/orders", null).body()).isEqualTo("/one/orders");

    // an edit takes effect
    long edited = System.nanoTime();
    write(file, config("/two"));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> get(gateway + "/demo/orders", null).body().equals("/two/orders"));
    LOG.info(
        "event=config-edit-served role={} millis={}",
        role,
        (System.nanoTime() - edited) / 1_000_000);

    // a broken edit is refused, named by path and line, and traffic stays on the last good file
    write(file, config("/three").replace("http://127.0.0.1", "ftp://127.0.0.1"));
    node.awaitLine(
        "config-file-refused error=\".*crossgate\\.yaml:5: routes\\[0\\]\\.targetUrl: scheme 'ftp'",
        Duration.ofSeconds(10));
    assertThat(get(gateway + "/demo/orders", null).body()).isEqualTo("/two/orders");

    // the Admin API reads, and refuses writes naming the file
    var exported = get(admin + "/admin/config", TOKEN);
    var write =
        http.send(
            HttpRequest.newBuilder(URI.create(admin + "/admin/routes"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"service\":\"x\",\"sourcePath\":\"/x\",\"targetUrl\":\"http://x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(exported.statusCode()).isEqualTo(200);
    assertThat(exported.body()).contains("/two");
    assertThat(write.statusCode()).isEqualTo(405);
    assertThat(write.headers().firstValue("content-type")).contains("application/problem+json");
    assertThat(write.body()).contains(file.toAbsolutePath().toString());

    // and the next good edit is served again
    write(file, config("/four"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get(gateway + "/demo/orders", null).body().equals("/four/orders"));
  }

  @Test
  void aFileThatDoesNotValidateStopsTheStartWithItsErrors() throws Exception {
    var file = dir.resolve("crossgate.yaml");
    write(file, config("/one").replace("sourcePath: /demo", "sourcePath: demo"));

    try (var node =
        CrossgateProcess.standalone(
            dir.resolve("data"), "--config", file.toString(), "--admin-token", TOKEN)) {
      node.awaitLine(
          "crossgate\\.yaml:4: routes\\[0\\]\\.sourcePath: must start with '/'",
          Duration.ofSeconds(90));
      node.awaitLine("crossgate standalone failed to start", Duration.ofSeconds(30));
    }
  }

  @Test
  void aGatewayNodeServesTheFileWithNoControlPlaneAndItsAdminPortOnlyReads() throws Exception {
    var file = dir.resolve("crossgate.yaml");
    write(file, config("/one"));

    try (var node =
        CrossgateProcess.start(
            "gateway",
            "--config",
            file.toString(),
            "--data-dir",
            dir.resolve("node").toString(),
            "--node-admin-port",
            "0",
            "--gateway-port",
            "0",
            "--admin-token",
            TOKEN)) {
      var ready = node.awaitLine(GATEWAY_READY, Duration.ofSeconds(90));
      var gateway = "http://127.0.0.1:" + ready.group(1);
      var admin = "http://127.0.0.1:" + ready.group(2);

      assertThat(ready.group(3)).isEqualTo(file.toAbsolutePath().toString());
      servesEditsRefusesABrokenOneAndOnlyReads("gateway", node, file, gateway, admin);

      // one edit adds a pool and moves the route onto it
      write(
          file,
          String.join(
              "\n",
              "apiVersion: crossgate/v1",
              "upstreams:",
              "  - id: demo-pool",
              "    targets:",
              "      - url: http://127.0.0.1:" + upstream.getAddress().getPort(),
              "routes:",
              "  - service: demo",
              "    sourcePath: /demo",
              "    upstream: demo-pool",
              "    targetPath: /pooled",
              ""));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> get(gateway + "/demo/orders", null).body().equals("/pooled/orders"));

      // the pool's health names this node by its role, not as a standalone
      var health = get(admin + "/admin/upstreams/demo-pool/health", TOKEN);
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
      assertThat(health.body()).contains("\"node\":\"gateway\"").doesNotContain("standalone");

      // the node admin port is the only admin port: authenticated, no console
      assertThat(get(admin + "/admin/config", null).statusCode()).isEqualTo(401);
      assertThat(get(admin + "/console/", null).statusCode()).isEqualTo(404);
      assertThat(get(admin + "/readyz", null).statusCode()).isEqualTo(200);
      assertThat(node.output()).doesNotContain("controlPlane=").doesNotContain("console=");
      assertThat(node.stop()).isIn(0, 143);
    }
  }

  @Test
  void aGatewayNodeGivenBothAFileAndAControlPlaneIsAOneLineUsageError() throws Exception {
    var file = dir.resolve("crossgate.yaml");
    write(file, config("/one"));

    try (var node =
        CrossgateProcess.start(
            "gateway",
            "--config",
            file.toString(),
            "--control-plane",
            "http://127.0.0.1:9080",
            "--data-dir",
            dir.resolve("node").toString())) {
      int exit = node.waitFor(Duration.ofSeconds(60));

      assertThat(exit).isEqualTo(2);
      assertThat(node.output().lines().filter(l -> l.startsWith("crossgate gateway:")))
          .containsExactly(
              "crossgate gateway: --control-plane is for a node that follows a control plane;"
                  + " leave it out with --config");
      assertThat(node.output()).doesNotContain("Usage:").doesNotContain("Exception");
      assertThat(Files.exists(dir.resolve("node"))).isFalse();
    }
  }

  private String config(String targetPath) {
    return """
        apiVersion: crossgate/v1
        routes:
          - service: demo
            sourcePath: /demo
            targetUrl: http://127.0.0.1:%d%s
        """
        .formatted(upstream.getAddress().getPort(), targetPath);
  }

  /** Writes as editors and config maps do: a new file renamed over the old one. */
  private static void write(Path file, String content) throws Exception {
    var next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, content);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private HttpResponse<String> get(String url, String token) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
