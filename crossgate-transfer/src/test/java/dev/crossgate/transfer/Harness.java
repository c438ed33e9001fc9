package dev.crossgate.transfer;

import dev.crossgate.auth.Secrets;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.config.TrafficTls;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.route.RouteTable;
import dev.crossgate.store.Database;
import dev.crossgate.store.transfer.TransferRepository;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.time.MutableClock;
import dev.crossgate.trace.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * An embedded transfer gateway for tests: the endpoint in the product's {@link GatewayServer}
 * (ephemeral port on 127.0.0.1) over a real database and a temporary data dir. It can be stopped
 * and started again over the same database and directory, and counts chunk PUTs so tests can tell
 * how much was sent twice.
 */
final class Harness implements AutoCloseable {
  static final String ACME_KEY = "acme-key-0123456789abcdef";
  static final String GLOBEX_KEY = "globex-key-0123456789abcdef";

  final Path dataDir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final Database database;
  final TransferRepository repository;
  final Map<String, AtomicInteger> chunkPuts = new ConcurrentHashMap<>();

  /**
   * Every fake target of these tests listens on 127.0.0.1, which the egress policy refuses by
   * default: the harness allows exactly that address, on purpose; the security tests pass {@link
   * EgressPolicy#DEFAULT}.
   */
  static final EgressPolicy LOOPBACK_TARGETS = EgressPolicy.allowing("127.0.0.1/32");

  private final TransferOptions settings;
  private final EgressPolicy egress;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Vertx vertx;
  private TransferEndpoint endpoint;
  private GatewayServer server;
  private int port;
  private TrafficTls tls;
  private dev.crossgate.route.Route.Cors cors;
  private Tracing tracing = Tracing.OFF;

  private Harness(Database database, Path dataDir, TransferOptions settings, EgressPolicy egress) {
    this.egress = egress;
    this.database = database;
    this.repository = new TransferRepository(database.dataSource());
    this.dataDir = dataDir;
    this.settings = settings.withExpiry(settings.ttl(), settings.sweepInterval(), clock);
  }

  /** A gateway over an in-memory H2 database, with small limits that tests can reach. */
  static Harness h2(Path dataDir) {
    return h2(dataDir, LOOPBACK_TARGETS);
  }

  /** As above, URL targets limited by {@code egress}. */
  static Harness h2(Path dataDir, EgressPolicy egress) {
    return start(
        Database.open(
            "jdbc:h2:mem:transfer-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 8),
        dataDir,
        testSettings(dataDir),
        egress);
  }

  /** As {@link #h2(Path)}, the node serving HTTPS with {@code tls} too. */
  static Harness h2(Path dataDir, TrafficTls tls) {
    var harness = unstarted(dataDir);
    harness.tls = tls;
    harness.startServer(0);
    return harness;
  }

  /** As {@link #h2(Path)}, the transfer endpoints with {@code cors}. */
  static Harness h2(Path dataDir, dev.crossgate.route.Route.Cors cors) {
    var harness = unstarted(dataDir);
    harness.cors = cors;
    harness.startServer(0);
    return harness;
  }

  /** As {@link #h2(Path)}, the node tracing its requests with {@code tracing}. */
  static Harness h2(Path dataDir, Tracing tracing) {
    var harness = unstarted(dataDir);
    harness.tracing = tracing;
    harness.startServer(0);
    return harness;
  }

  /** Over a fresh in-memory H2, with the test settings; its server not started yet. */
  private static Harness unstarted(Path dataDir) {
    return new Harness(
        Database.open(
            "jdbc:h2:mem:transfer-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 8),
        dataDir,
        testSettings(dataDir),
        LOOPBACK_TARGETS);
  }

  static Harness start(Database database, Path dataDir, TransferOptions settings) {
    return start(database, dataDir, settings, LOOPBACK_TARGETS);
  }

  static Harness start(
      Database database, Path dataDir, TransferOptions settings, EgressPolicy egress) {
    var harness = new Harness(database, dataDir, settings, egress);
    harness.startServer(0);
    return harness;
  }

  static TransferOptions testSettings(Path dataDir) {
    return new TransferOptions(
        dataDir.resolve("transfers"),
        1024 * 1024,
        64L * 1024 * 1024,
        200L * 1024 * 1024,
        Duration.ofHours(1),
        Duration.ofHours(1),
        4,
        new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));
  }

  private void startServer(int wantedPort) {
    vertx = Vertx.vertx();
    var config =
        new GatewayConfig(
            1,
            RouteTable.EMPTY,
            List.of(),
            Map.of(
                Secrets.sha256Hex(ACME_KEY),
                    new ApiKey(
                        "k1", "acme", null, Secrets.sha256Hex(ACME_KEY), "acme-key", Instant.EPOCH),
                Secrets.sha256Hex(GLOBEX_KEY),
                    new ApiKey(
                        "k2",
                        "globex",
                        null,
                        Secrets.sha256Hex(GLOBEX_KEY),
                        "globex-k",
                        Instant.EPOCH)));
    endpoint = TransferEndpoint.create(vertx, repository, settings, egress, cors);
    GatewayEndpoint chunkCounter =
        router ->
            router
                .put("/_transfers/:id/chunks/:number")
                .handler(
                    ctx -> {
                      chunkPuts
                          .computeIfAbsent(
                              ctx.pathParam("id") + "/" + ctx.pathParam("number"),
                              k -> new AtomicInteger())
                          .incrementAndGet();
                      ctx.next();
                    });
    // the product's gateway server and chain (limits, filters, caller identity), not a bare router
    server =
        await(
            GatewayServer.start(
                vertx,
                GatewayOptions.defaults().withListen("127.0.0.1", wantedPort),
                () -> config,
                List.of(chunkCounter, endpoint),
                GatewayServices.NONE.withTls(tls).withTracing(tracing)));
    port = server.port();
  }

  /**
   * Stops the HTTP server, the endpoint and its Vert.x instance, as a gateway process exit would.
   */
  void stop() {
    await(server.close());
    await(endpoint.close());
    await(vertx.close());
  }

  /** Starts a fresh gateway over the same database and data dir, on the same port. */
  void restart() {
    startServer(port);
  }

  int port() {
    return port;
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The HTTPS base URL, when started with TLS. */
  URI tlsBase() {
    return URI.create("https://127.0.0.1:" + server.tlsPort());
  }

  TransferEndpoint endpoint() {
    return endpoint;
  }

  Vertx vertx() {
    return vertx;
  }

  int totalChunkPuts() {
    return chunkPuts.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  HttpResponse<String> send(
      String method, String path, String key, byte[] body, String... headers) {
    var builder =
        HttpRequest.newBuilder(base().resolve(path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      builder.header("X-Api-Key", key);
    }
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> post(String path, String key, String json) {
    return send("POST", path, key, json.getBytes(), "Content-Type", "application/json");
  }

  long rows(String table) {
    return repository.countRows(table);
  }

  /** Regular files under the transfer data dir (chunks, temporaries). */
  long files() {
    var root = dataDir.resolve("transfers");
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stop();
    database.close();
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
