package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.store.TestDatabases;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every role's real {@code /metrics}, after some traffic, passes {@code promtool check metrics}
 * with nothing to say. promtool missing is a failure, not a skip: {@code .ci/run} installs it (the
 * Debian package {@code prometheus}).
 */
class MetricsLintIT {
  private static final String TOKEN = "cga_metrics_lint_admin_token_0123456789";
  private static final String STANDALONE_READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin .* gateway=http://127\\.0\\.0\\.1:(\\d+)";
  private static final String ADMIN_READY =
      "crossgate admin ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin";
  private static final String GATEWAY_READY =
      "crossgate gateway ready node=n1 gateway=http://127\\.0\\.0\\.1:(\\d+) nodeAdmin=http://127\\.0\\.0\\.1:(\\d+)";
  private static final String AGENT_READY =
      "crossgate agent ready agent=http://127\\.0\\.0\\.1:(\\d+)";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void standaloneAndAgentMetricsPassPromtool(@TempDir Path dir) throws Exception {
    try (var standalone = CrossgateProcess.standalone(dir.resolve("sa"), "--admin-token", TOKEN)) {
      var ready = standalone.awaitLine(STANDALONE_READY, Duration.ofSeconds(60));
      var admin = "http://127.0.0.1:" + ready.group(1);
      var gateway = "http://127.0.0.1:" + ready.group(2);
      var created =
          send(
              "POST",
              admin + "/admin/routes",
              "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v1\",\"defaultVersion\":true,"
                  + "\"targetUrl\":\""
                  + admin
                  + "/healthz\"}");
      assertThat(created.statusCode()).isEqualTo(201);
      Awaitility.await().until(() -> send("GET", gateway + "/shop", null).statusCode() == 200);
      send("GET", gateway + "/missing", null);

      var metrics = scrape(admin + "/metrics");

      assertThat(metrics)
          .contains("process_cpu_seconds_total")
          .containsPattern(
              "crossgate_requests_total\\{method=\"GET\",route=\"rt_[^\"]+\",service=\"shop\",status=\"2xx\",version=\"v1\"}")
          .contains("crossgate_upstream_duration_seconds_bucket{route=\"rt_");
      assertPromtoolClean("standalone", metrics);

      try (var agent =
          CrossgateProcess.start(
              "agent",
              "--gateway",
              gateway,
              "--api-key",
              "cgk_unknown_key_for_metrics",
              "--agent-port",
              "0",
              "--data-dir",
              dir.resolve("agent").toString())) {
        var agentUrl =
            "http://127.0.0.1:" + agent.awaitLine(AGENT_READY, Duration.ofSeconds(60)).group(1);

        var health = send("GET", agentUrl + "/healthz", null);
        var agentMetrics = scrape(agentUrl + "/metrics");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"up\"");
        assertThat(agentMetrics).contains("jvm_memory_used_bytes", "process_cpu_seconds_total");
        assertPromtoolClean("agent", agentMetrics);
      }
    }
  }

  @Test
  void aClusterControlPlaneExportsEachNodeAndBothRolesPassPromtool(@TempDir Path dir)
      throws Exception {
    var clusterToken = dir.resolve("cluster-token");
    Files.writeString(clusterToken, "metrics-lint-cluster-token-0123456789abcdef\n");
    try (var db = TestDatabases.postgres();
        var controlPlane =
            CrossgateProcess.controlPlane(db.url(), dir.resolve("cp"), TOKEN, clusterToken)) {
      var admin =
          "http://127.0.0.1:"
              + controlPlane.awaitLine(ADMIN_READY, Duration.ofSeconds(60)).group(1);
      try (var node = CrossgateProcess.node(admin, "n1", clusterToken, dir.resolve("n1"))) {
        var ready = node.awaitLine(GATEWAY_READY, Duration.ofSeconds(60));
        var gateway = "http://127.0.0.1:" + ready.group(1);
        var nodeAdmin = "http://127.0.0.1:" + ready.group(2);
        assertThat(
                send(
                        "POST",
                        admin + "/admin/routes",
                        "{\"service\":\"health\",\"sourcePath\":\"/cp\",\"targetUrl\":\""
                            + admin
                            + "\"}")
                    .statusCode())
            .isEqualTo(201);
        Awaitility.await()
            .until(() -> send("GET", gateway + "/cp/healthz", null).statusCode() == 200);

        Awaitility.await()
            .untilAsserted(
                () ->
                    assertThat(scrape(admin + "/metrics"))
                        .contains("crossgate_cluster_node_connected{node=\"n1\"} 1.0")
                        .contains("crossgate_cluster_node_applied_revision{node=\"n1\"} 1.0")
                        .contains("crossgate_cluster_node_lag_revisions{node=\"n1\"} 0.0")
                        .contains("crossgate_cluster_node_nacks_total{node=\"n1\"} 0.0"));
        assertPromtoolClean("control plane", scrape(admin + "/metrics"));
        var nodeMetrics = scrape(nodeAdmin + "/metrics");
        assertThat(nodeMetrics).contains("crossgate_requests_total", "jvm_memory_used_bytes");
        assertPromtoolClean("gateway node", nodeMetrics);
      }
    }
  }

  private String scrape(String url) throws Exception {
    var response = send("GET", url, null);
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }

  private HttpResponse<String> send(String method, String url, String body) throws Exception {
    return http.send(
        CrossgateProcess.authorized(method, url, TOKEN, body),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Runs {@code promtool check metrics} on the text; it must exit 0 and print nothing. */
  static void assertPromtoolClean(String role, String metrics) throws Exception {
    var promtool = Path.of("/usr/bin/promtool");
    assertThat(promtool)
        .as("promtool (Debian package prometheus; .ci/run installs it)")
        .isExecutable();
    var process =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    try (var in = process.getOutputStream()) {
      in.write(metrics.getBytes(StandardCharsets.UTF_8));
    }
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(output).as("promtool's findings on the " + role + "'s /metrics").isEmpty();
    assertThat(process.exitValue()).as("promtool exit code for the " + role).isZero();
  }
}
