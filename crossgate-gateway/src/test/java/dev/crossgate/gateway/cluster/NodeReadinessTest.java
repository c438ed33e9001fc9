package dev.crossgate.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.NodeAdminKit;
import dev.crossgate.json.Json;
import dev.crossgate.route.RouteTable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's readiness on its admin port ({@code /readyz}) and its traffic port ({@code /_ready}):
 * ready once it serves a configuration it was given, whether or not the control plane is reachable.
 * Its control plane here is a closed port, so nothing arrives over the stream.
 */
class NodeReadinessTest {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aNodeThatDiscardedACorruptSnapshotAndServesNothingIsNotReadyOnEitherPort(
      @TempDir Path dataDir) throws Exception {
    Files.writeString(
        dataDir.resolve("node-snapshot.json"),
        "{\"type\":\"SNAPSHOT\",\"revision\":7,\"hash\":\"0f");

    try (var node = new NodeAdminKit(dataDir);
        var traffic = trafficPort(node)) {
      var admin = get(node.port(), "/readyz");
      var ready = get(traffic.port(), "/_ready");

      for (var answer : List.of(admin, ready)) {
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("content-type"))
            .contains("application/problem+json");
        assertThat(answer.headers().firstValue("retry-after")).contains("5");
        assertThat(json(answer).path("detail").asText())
            .startsWith("configuration: no configuration applied yet");
      }
      assertThat(node.cluster().get().routes().size()).isZero();
    }
  }

  @Test
  void aNodeServingItsDiskSnapshotIsReadyWhileTheControlPlaneIsUnreachableUntilItDrains(
      @TempDir Path dataDir) throws Exception {
    new SnapshotFile(dataDir)
        .write(new GatewayConfig(7, RouteTable.of(List.of(), 7), List.of(), Map.of()));

    try (var node = new NodeAdminKit(dataDir);
        var traffic = trafficPort(node)) {
      var admin = get(node.port(), "/readyz");
      var ready = get(traffic.port(), "/_ready");
      node.cluster().readiness().drain();
      var drainingAdmin = get(node.port(), "/readyz");
      var drainingReady = get(traffic.port(), "/_ready");

      for (var answer : List.of(admin, ready)) {
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(json(answer).path("status").asText()).isEqualTo("ready");
        assertThat(json(answer).path("revision").asLong()).isEqualTo(7);
        assertThat(json(answer).path("connected").asBoolean()).isFalse();
      }
      for (var answer : List.of(drainingAdmin, drainingReady)) {
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(json(answer).path("detail").asText()).startsWith("draining");
      }
    }
  }

  /** The node's traffic port, answering {@code /_ready} from the node's readiness. */
  private static GatewayKit trafficPort(NodeAdminKit node) {
    return GatewayKit.start(
        GatewayOptions.defaults().withEventLoops(1),
        GatewayServices.NONE.withReadiness(node.cluster().readiness()));
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }
}
