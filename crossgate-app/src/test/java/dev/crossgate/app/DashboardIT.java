package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossgate.store.TestDatabases;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/grafana/crossgate.json cannot drift from the code: every series its PromQL names exists on a
 * real standalone's /metrics after traffic (cluster series on a real cluster control plane with a
 * node connected). The standalone's console traffic view fills from the same run.
 */
class DashboardIT {
  private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "crossgate.json");
  private static final String TOKEN = "cga_dashboard_admin_token_0123456789ab";
  private static final Pattern SERIES = Pattern.compile("\\b(?:crossgate|jvm|process)_[a-z0-9_]+");
  private static final String STANDALONE_READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin .* gateway=http://127\\.0\\.0\\.1:(\\d+)";
  private static final String ADMIN_READY =
      "crossgate admin ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin";
  private static final String GATEWAY_READY =
      "crossgate gateway ready node=n1 gateway=http://127\\.0\\.0\\.1:(\\d+) nodeAdmin=.*";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everySeriesTheDashboardQueriesIsOnARealStandaloneAndItsTrafficViewFills(@TempDir Path dir)
      throws Exception {
    var dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    var queried = seriesIn(dashboard);
    try (var standalone = CrossgateProcess.standalone(dir, "--admin-token", TOKEN)) {
      var ready = standalone.awaitLine(STANDALONE_READY, Duration.ofSeconds(60));
      var admin = "http://127.0.0.1:" + ready.group(1);
      var gateway = "http://127.0.0.1:" + ready.group(2);
      route(
          admin,
          "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\""
              + admin
              + "/healthz\"}");
      // nothing listens on port 1: 502s and upstream errors for the error panels
      route(
          admin,
          "{\"service\":\"down\",\"sourcePath\":\"/down\",\"targetUrl\":\"http://127.0.0.1:1/\"}");
      Awaitility.await().until(() -> send("GET", gateway + "/shop", null).statusCode() == 200);
      Awaitility.await().until(() -> send("GET", gateway + "/down", null).statusCode() == 502);
      send("POST", gateway + "/shop", "{\"order\":1}");

      var metrics = names(send("GET", admin + "/metrics", null).body());
      var traffic =
          Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      new ObjectMapper()
                          .readTree(send("GET", admin + "/admin/traffic?minutes=1", null).body()),
                  t -> t.path("routes").size() == 2);

      var standaloneSeries =
          queried.stream().filter(s -> !s.startsWith("crossgate_cluster_")).toList();
      assertThat(standaloneSeries).isNotEmpty();
      assertThat(metrics).as("series on a standalone's /metrics").containsAll(standaloneSeries);
      assertThat(traffic.path("source").asText()).isEqualTo("this-process");
      assertThat(traffic.findValuesAsText("service")).containsExactlyInAnyOrder("shop", "down");
      var down =
          java.util.stream.StreamSupport.stream(traffic.path("routes").spliterator(), false)
              .filter(r -> r.path("service").asText().equals("down"))
              .findFirst()
              .orElseThrow();
      assertThat(max(down.path("errorRatio"))).isEqualTo(1.0);
    }
  }

  @Test
  void theClusterSeriesTheDashboardQueriesAreOnAClusterControlPlane(@TempDir Path dir)
      throws Exception {
    var clusterSeries =
        seriesIn(new ObjectMapper().readTree(Files.readString(DASHBOARD))).stream()
            .filter(s -> s.startsWith("crossgate_cluster_"))
            .toList();
    var clusterToken = dir.resolve("cluster-token");
    Files.writeString(clusterToken, "dashboard-cluster-token-0123456789abcdef\n");
    try (var db = TestDatabases.postgres();
        var controlPlane =
            CrossgateProcess.controlPlane(db.url(), dir.resolve("cp"), TOKEN, clusterToken)) {
      var admin =
          "http://127.0.0.1:"
              + controlPlane.awaitLine(ADMIN_READY, Duration.ofSeconds(60)).group(1);
      try (var node = CrossgateProcess.node(admin, "n1", clusterToken, dir.resolve("n1"))) {
        node.awaitLine(GATEWAY_READY, Duration.ofSeconds(60));

        Awaitility.await()
            .untilAsserted(
                () ->
                    assertThat(names(send("GET", admin + "/metrics", null).body()))
                        .containsAll(clusterSeries));
        // the node's stream is open (its series are there): it feeds the traffic view, idle
        var traffic =
            new ObjectMapper().readTree(send("GET", admin + "/admin/traffic", null).body());

        assertThat(clusterSeries).hasSize(3);
        assertThat(traffic.path("source").asText()).isEqualTo("cluster");
        assertThat(traffic.path("nodes").asInt()).isEqualTo(1);
        assertThat(traffic.path("routes")).isEmpty();
      }
    }
  }

  /** The series named in the dashboard's panel queries and template variables. */
  static Set<String> seriesIn(JsonNode dashboard) {
    var queries = new ArrayList<String>();
    dashboard.findValues("expr").forEach(e -> queries.add(e.asText()));
    dashboard.findValues("definition").forEach(e -> queries.add(e.asText()));
    var found = new TreeSet<String>();
    for (var q : queries) {
      var m = SERIES.matcher(q);
      while (m.find()) {
        found.add(m.group());
      }
    }
    assertThat(queries).as("the dashboard's queries").hasSizeGreaterThan(10);
    return found;
  }

  /** The series names of a Prometheus text exposition (a histogram's _bucket, _sum, _count). */
  private static Set<String> names(String exposition) {
    return exposition
        .lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.split("[{ ]", 2)[0])
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static double max(JsonNode values) {
    double max = 0;
    for (var v : values) {
      max = Math.max(max, v.asDouble());
    }
    return max;
  }

  private void route(String admin, String json) throws Exception {
    assertThat(send("POST", admin + "/admin/routes", json).statusCode()).isEqualTo(201);
  }

  private HttpResponse<String> send(String method, String url, String body) throws Exception {
    return http.send(
        CrossgateProcess.authorized(method, url, TOKEN, body),
        HttpResponse.BodyHandlers.ofString());
  }
}
