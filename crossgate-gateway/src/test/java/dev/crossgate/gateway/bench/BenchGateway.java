package dev.crossgate.gateway.bench;

import dev.crossgate.change.Change;
import dev.crossgate.config.ConfigApplier;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.json.Json;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.route.RouteTable;
import dev.crossgate.route.RouteValidator;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway as bench/proxy/route-table.sh drives it: {@link GatewayServer} with N in-memory
 * routes (the requested {@code /bench} route inserted last), configuration held by one swapped
 * reference as in standalone. The proxy path measured is the product's; only the wiring is the
 * bench's.
 *
 * <p>Arguments: {@code PORT UPSTREAM_URL ROUTES EVENT_LOOPS [CHANGE_FLAG_FILE]}. Prints {@code
 * bench ready port=… routes=… heapUsedAfterGcBytes=…}; while the flag file exists, applies one
 * route change a second and prints {@code bench route-change applyMs=…}.
 */
public final class BenchGateway {
  private static final Logger LOG = LoggerFactory.getLogger("crossgate.bench");

  private BenchGateway() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    var upstream = args[1];
    int routeCount = Integer.parseInt(args[2]);
    int eventLoops = Integer.parseInt(args[3]);
    var flag = args.length > 4 ? Path.of(args[4]) : null;

    var routes = new ArrayList<Route>(routeCount);
    for (int i = 0; i < routeCount - 1; i++) {
      routes.add(route("filler-" + i, "/svc" + i + "/api", upstream + "/svc" + i));
    }
    routes.add(route("bench", "/bench", upstream));
    var config =
        new AtomicReference<>(new GatewayConfig(1, RouteTable.of(routes, 1), List.of(), Map.of()));
    routes = null;

    var options =
        GatewayOptions.defaults().withListen("127.0.0.1", port).withEventLoops(eventLoops);
    var vertx = Vertx.vertx(GatewayServer.vertxOptions(options).setEventLoopPoolSize(eventLoops));
    var server =
        GatewayServer.start(vertx, options, config::get, List.of())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);

    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    LOG.info(
        "bench ready port={} routes={} heapUsedAfterGcBytes={}", server.port(), routeCount, heap);

    if (flag != null) {
      var changer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                var t = new Thread(r, "bench-route-changes");
                t.setDaemon(true);
                return t;
              });
      var changes = new long[1];
      changer.scheduleWithFixedDelay(
          () -> {
            if (Files.exists(flag)) {
              applyOneChange(config, changes[0]++, upstream);
            }
          },
          1,
          1,
          TimeUnit.SECONDS);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server
                        .close()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    LOG.warn("bench close failed cause={}", e.toString());
                  }
                }));
  }

  /**
   * One route change, applied as a node applies a change-log delta ({@link ConfigApplier}: the
   * route table and the configuration hash updated by what the change touches), one reference
   * swapped. The change arrives as a JSON tree, as it does off the wire; reading it is timed.
   */
  private static void applyOneChange(
      AtomicReference<GatewayConfig> config, long n, String upstream) {
    var current = config.get();
    var changed =
        route("filler-" + (n % 1000), "/svc" + (n % 1000) + "/api", upstream + "/changed" + n);
    var change =
        new Change(
            current.revision() + 1,
            Change.Op.UPDATE,
            Change.EntityType.ROUTE,
            changed.id(),
            Json.mapper().valueToTree(changed),
            "bench",
            Instant.EPOCH);
    long start = System.nanoTime();
    config.set(ConfigApplier.apply(current, List.of(change)));
    double ms = (System.nanoTime() - start) / 1e6;
    LOG.info(
        "bench route-change revision={} applyMs={}",
        current.revision() + 1,
        String.format("%.1f", ms));
  }

  private static Route route(String id, String sourcePath, String target) {
    var spec =
        new RouteSpec(
            null,
            "bench",
            null,
            null,
            null,
            sourcePath,
            null,
            null,
            null,
            null,
            target,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    return RouteValidator.validate(id, spec, "bench", Instant.EPOCH, Instant.EPOCH);
  }
}
