package dev.crossgate.gateway.cluster;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.json.Json;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {

  @Test
  void concurrentWritersNeverFailAndTheNewestConfigurationIsOnDisk(@TempDir Path dir)
      throws Exception {
    var file = new SnapshotFile(dir);
    var current = new AtomicReference<>(config(0));
    var pool = Executors.newFixedThreadPool(4);
    try {
      var writes = new ArrayList<Callable<Void>>();
      for (int i = 1; i <= 200; i++) {
        int revision = i;
        writes.add(
            () -> {
              current.accumulateAndGet(
                  config(revision), (a, b) -> a.revision() > b.revision() ? a : b);
              file.write(current::get);
              return null;
            });
      }

      // a write that fails (two writers on one temporary file) throws here
      for (var done : pool.invokeAll(writes)) {
        done.get();
      }

      assertThat(file.read()).map(GatewayConfig::revision).contains(200L);
      try (var left = Files.list(dir)) {
        assertThat(left.map(p -> p.getFileName().toString())).containsExactly("node-snapshot.json");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLargeSnapshotIsStreamedToTheFileInTheFormatNodesReadBack(@TempDir Path dir)
      throws Exception {
    var routes = new ArrayList<Route>();
    for (int i = 0; i < 5_000; i++) {
      routes.add(route("rt_" + i, "/svc" + i + "/items", "http://127.0.0.1:9/r" + i).build());
    }
    var config = new GatewayConfig(5_000, RouteTable.of(routes, 5_000), List.of(), Map.of());
    var file = new SnapshotFile(dir);

    file.write(config);

    // byte for byte what the snapshot was as one array: files written before stay readable
    assertThat(Files.readAllBytes(dir.resolve("node-snapshot.json")))
        .isEqualTo(Json.writeBytes(ClusterMessage.Snapshot.of(config)));
    assertThat(file.read())
        .hasValueSatisfying(
            read -> {
              assertThat(read.revision()).isEqualTo(5_000);
              assertThat(read.routes().size()).isEqualTo(5_000);
              assertThat(read.hashHex()).isEqualTo(config.hashHex());
            });
  }

  private static GatewayConfig config(long revision) {
    return new GatewayConfig(revision, RouteTable.of(List.of(), revision), List.of(), Map.of());
  }
}
