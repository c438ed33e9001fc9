package dev.crossgate.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.cluster.NodeCredential;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import dev.crossgate.retry.Backoff;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.route.RouteTable;
import dev.crossgate.route.RouteValidator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's end of the cluster stream against a loopback control plane that refuses, accepts and
 * drops the stream as told. The reconnect back-off's randomness is injected and counted: every wait
 * before a new attempt is one draw, so the test sees the back-off used without timing it.
 */
class ClusterClientTest {
  private static final String NODE = "node-1";

  @TempDir Path dataDir;
  private final Vertx vertx = Vertx.vertx();
  private final NodeCredential credential = NodeCredential.issue(NODE);

  /** Upgrade attempts the control plane refuses with a 503 before it accepts one. */
  private final AtomicInteger refusalsLeft = new AtomicInteger();

  private final AtomicInteger upgradeAttempts = new AtomicInteger();
  private final List<ServerWebSocket> streams = new CopyOnWriteArrayList<>();
  private final List<ClusterMessage.Hello> hellos = new CopyOnWriteArrayList<>();

  /** Every ACK and NACK the node sent. */
  private final List<ClusterMessage> answers = new CopyOnWriteArrayList<>();

  private final AtomicInteger draws = new AtomicInteger();
  private HttpServer controlPlane;
  private ClusterClient client;

  @BeforeEach
  void start() throws Exception {
    new NodeCredentialFile(dataDir).write(credential);
    controlPlane =
        join(
            vertx
                .createHttpServer()
                .requestHandler(
                    request -> {
                      upgradeAttempts.incrementAndGet();
                      var authorized =
                          NODE.equals(request.getHeader(CrossgateHeaders.NODE_ID))
                              && ("Bearer " + credential.credential())
                                  .equals(request.getHeader("Authorization"));
                      if (!request.path().equals("/cluster/stream") || !authorized) {
                        request.response().setStatusCode(401).end();
                        return;
                      }
                      if (refusalsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        request.response().setStatusCode(503).end();
                        return;
                      }
                      request
                          .toWebSocket()
                          .onSuccess(
                              ws -> {
                                streams.add(ws);
                                ws.textMessageHandler(
                                    text -> {
                                      var message = Json.read(text, ClusterMessage.class);
                                      if (message instanceof ClusterMessage.Hello hello) {
                                        hellos.add(hello);
                                      } else if (message instanceof ClusterMessage.Ack
                                          || message instanceof ClusterMessage.Nack) {
                                        answers.add(message);
                                      }
                                    });
                              });
                    })
                .listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    if (client != null) {
      join(client.close());
    }
    join(vertx.close());
  }

  @Test
  void aNodeReconnectsAfterTheControlPlaneDropsTheStreamAndSaysHelloAgain() {
    startClient();
    await().atMost(Duration.ofSeconds(10)).until(() -> hellos.size() == 1);

    join(streams.get(0).close());

    await().atMost(Duration.ofSeconds(10)).until(() -> hellos.size() == 2);
    assertThat(hellos).extracting(ClusterMessage.Hello::nodeId).containsExactly(NODE, NODE);
    // nothing applied yet: the node says so, and is sent a snapshot whatever the control plane's
    // revision
    assertThat(hellos.get(1).appliedRevision()).isEqualTo(ClusterMessage.Hello.UNCONFIGURED);
    assertThat(hellos.get(1).heartbeatMillis())
        .as("announced, for the missed-heartbeat rule")
        .isPositive();
    assertThat(draws).as("one back-off wait before the one reconnect").hasValue(1);
    assertThat(client.connected()).isTrue();
  }

  @Test
  void eachRefusedAttemptWaitsForTheBackoffBeforeTheNextOne() {
    refusalsLeft.set(3);

    startClient();

    await().atMost(Duration.ofSeconds(10)).until(() -> hellos.size() == 1);
    assertThat(upgradeAttempts).hasValue(4);
    assertThat(draws).as("a back-off wait after each of the three refusals").hasValue(3);
    assertThat(client.connected()).isTrue();
  }

  @Test
  void aRouteThePolicyRefusesIsRejectedAloneWhileACorruptBatchIsRefusedWhole() throws Exception {
    startClient(NodePolicy.allowedUpstreamSchemes(Set.of("http")));
    await().atMost(Duration.ofSeconds(10)).until(() -> hellos.size() == 1);
    var stream = streams.get(0);
    var snapshot =
        ClusterMessage.Snapshot.of(
            new GatewayConfig(
                1,
                RouteTable.of(
                    List.of(
                        route("rt_tls", "/tls", "https://svc/x"),
                        route("rt_ok", "/ok", "http://svc/y")),
                    1),
                List.of(),
                Map.of()));
    var waiting = onContext(() -> client.applied(1, Duration.ofSeconds(30)));

    stream.writeTextMessage(Json.write(snapshot));

    assertThat(join(waiting)).as("completed by the swap, not by the 30 s bound").isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 1);
    var ack = (ClusterMessage.Ack) answers.get(0);
    assertThat(ack.revision()).isOne();
    assertThat(ack.hash()).as("the hash of what it was sent").isEqualTo(snapshot.hash());
    assertThat(ack.rejected())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.entityType()).isEqualTo("ROUTE");
              assertThat(r.entityId()).isEqualTo("rt_tls");
              assertThat(r.reason()).contains("upstream scheme 'https' is not allowed");
            });
    assertThat(client.get().routes().get("rt_ok")).isNotNull();
    assertThat(client.get().routes().get("rt_tls")).as("not served").isNull();

    // a change that cannot be read at all: the whole batch is refused, nothing of it applied
    stream.writeTextMessage(
        "{\"type\":\"DELTA\",\"fromRevision\":1,\"toRevision\":2,\"changes\":[{\"revision\":2,"
            + "\"op\":\"INSERT\",\"entityType\":\"ROUTE\",\"entityId\":\"rt_bad\",\"body\":\"garbage\","
            + "\"actor\":\"test\",\"at\":\"2026-01-01T00:00:00Z\"}]}");

    await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 2);
    var nack = (ClusterMessage.Nack) answers.get(1);
    assertThat(nack.revision()).isEqualTo(2);
    assertThat(nack.errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("rt_bad"));
    assertThat(client.appliedRevision()).isOne();
    assertThat(client.refused()).isOne();
    assertThat(join(onContext(() -> client.applied(2, Duration.ofMillis(50)))))
        .as("not applied: the wait ends at its bound")
        .isFalse();
  }

  private static Route route(String id, String path, String target) {
    var spec =
        Json.read(
            "{\"service\":\"shop\",\"sourcePath\":\""
                + path
                + "\",\"targetUrl\":\""
                + target
                + "\"}",
            RouteSpec.class);
    var now = Instant.now();
    return RouteValidator.validate(id, spec, "test", now, now);
  }

  /** Runs {@code work} on a Vert.x context, as the node's admin port calls the client. */
  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> work) {
    var promise = io.vertx.core.Promise.<T>promise();
    vertx.getOrCreateContext().runOnContext(v -> work.get().onComplete(promise));
    return promise.future();
  }

  private void startClient() {
    startClient(NodePolicy.acceptAll());
  }

  private void startClient(NodePolicy policy) {
    // the lowest draw: full jitter then waits nothing, so the test does not wait either
    var reconnect =
        Backoff.of(
            Duration.ofMillis(250),
            Duration.ofSeconds(5),
            Duration.ZERO,
            () -> {
              draws.incrementAndGet();
              return 0.0;
            });
    var options =
        new ClusterClientOptions(
                List.of(URI.create("http://127.0.0.1:" + controlPlane.actualPort())),
                NODE,
                null,
                dataDir,
                policy,
                Duration.ofMinutes(5),
                "test")
            .withReconnect(reconnect);
    client = join(ClusterClient.start(vertx, options));
  }

  private static <T> T join(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
