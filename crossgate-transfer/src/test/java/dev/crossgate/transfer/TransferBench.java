package dev.crossgate.transfer;

import dev.crossgate.agent.transfer.TransferClient;
import dev.crossgate.agent.transfer.TransferClientOptions;
import dev.crossgate.agent.transfer.TransferException;
import dev.crossgate.auth.Secrets;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.json.Json;
import dev.crossgate.route.RouteTable;
import dev.crossgate.store.Database;
import dev.crossgate.store.transfer.TransferRepository;
import dev.crossgate.tenant.ApiKey;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Launcher for bench/transfer/run.sh (test scope, not part of the product).
 *
 * <pre>
 * server DATA_DIR PORT                          gateway with the transfer endpoint; GET /_bench/stats
 * client FILE URL STATE_DIR CHUNK PARALLEL [STOP_AFTER_CHUNKS]
 * </pre>
 *
 * Both print one JSON line of figures; both sample their peak used heap every 50 ms.
 */
public final class TransferBench {
  static final String KEY = "bench-key-0123456789abcdef";

  private TransferBench() {}

  public static void main(String[] args) throws Exception {
    var heap = new HeapSampler();
    if (args[0].equals("server")) {
      server(Path.of(args[1]), Integer.parseInt(args[2]), heap);
    } else {
      client(args, heap);
    }
  }

  private static void server(Path dataDir, int port, HeapSampler heap) throws Exception {
    var database = Database.open(Database.h2Url(dataDir), null, null, 8);
    var vertx = Vertx.vertx(GatewayServer.vertxOptions(GatewayOptions.defaults()));
    var config =
        new GatewayConfig(
            1,
            RouteTable.EMPTY,
            List.of(),
            Map.of(
                Secrets.sha256Hex(KEY),
                new ApiKey("k", "bench", null, Secrets.sha256Hex(KEY), "bench", Instant.now())));
    var settings =
        new TransferOptions(
            dataDir.resolve("transfers"),
            16 * TransferOptions.MIB,
            8L * 1024 * TransferOptions.MIB,
            16L * 1024 * TransferOptions.MIB,
            Duration.ofHours(1),
            Duration.ofMinutes(1),
            4,
            Clock.systemUTC());
    var endpoint =
        TransferEndpoint.create(vertx, new TransferRepository(database.dataSource()), settings);
    var puts = new AtomicInteger();
    GatewayEndpoint stats =
        router -> {
          router
              .put("/_transfers/:id/chunks/:number")
              .handler(
                  ctx -> {
                    puts.incrementAndGet();
                    ctx.next();
                  });
          router
              .get("/_bench/stats")
              .handler(
                  ctx ->
                      ctx.response()
                          .putHeader("Content-Type", "application/json")
                          .end(
                              Json.write(
                                  Map.of(
                                      "chunkPuts",
                                      puts.get(),
                                      "peakHeapBytes",
                                      heap.peak(),
                                      "maxHeapBytes",
                                      Runtime.getRuntime().maxMemory()))));
        };
    // the product's gateway server (one event loop per core), not a bare HTTP server
    var options = GatewayOptions.defaults().withListen("127.0.0.1", port);
    GatewayServer.start(vertx, options, () -> config, List.of(stats, endpoint))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    System.out.println("{\"ready\":true,\"port\":" + port + "}");
    new CountDownLatch(1).await();
  }

  private static void client(String[] args, HeapSampler heap) throws Exception {
    var file = Path.of(args[1]);
    var url = URI.create(args[2]);
    var options =
        new TransferClientOptions(
            Path.of(args[3]),
            System.getProperty("bench.key", KEY),
            Integer.parseInt(args[4]),
            Integer.parseInt(args[5]),
            6,
            Duration.ofMinutes(5),
            null,
            System.getProperty("bench.digest", "sha-256"));
    int stopAfter = args.length > 6 ? Integer.parseInt(args[6]) : -1;
    var out = new LinkedHashMap<String, Object>();
    long start = System.nanoTime();
    if (stopAfter > 0) {
      var accepted = new AtomicLong();
      var holder = new TransferClient[1];
      holder[0] =
          TransferClient.create(
              options,
              (n, bytes) -> {
                if (accepted.incrementAndGet() == stopAfter) {
                  holder[0].cancel();
                }
              });
      try {
        holder[0].send(file, url);
      } catch (TransferException e) {
        out.put("firstRun", e.getMessage());
      }
    }
    var result = TransferClient.create(options).send(file, url);
    double seconds = (System.nanoTime() - start) / 1e9;
    out.put("bytes", result.totalSize());
    out.put("seconds", seconds);
    out.put("mibPerSecond", result.totalSize() / seconds / (1024 * 1024));
    out.put("lastRunChunksSent", result.chunksSent());
    out.put("lastRunChunksSkipped", result.chunksSkipped());
    out.put("clientPeakHeapBytes", heap.peak());
    out.put("clientMaxHeapBytes", Runtime.getRuntime().maxMemory());
    System.out.println(Json.write(out));
    System.exit(0);
  }

  /** Peak used heap, sampled every 50 ms on a daemon thread. */
  static final class HeapSampler {
    private final AtomicLong peak = new AtomicLong();

    HeapSampler() {
      var memory = ManagementFactory.getMemoryMXBean();
      var timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                var t = new Thread(r, "heap-sampler");
                t.setDaemon(true);
                return t;
              });
      timer.scheduleAtFixedRate(
          () -> peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max),
          0,
          50,
          TimeUnit.MILLISECONDS);
    }

    long peak() {
      return peak.get();
    }
  }
}
