package dev.crossgate.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.cluster.NodeCredential;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import dev.crossgate.retry.Backoff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
                                      if (Json.read(text, ClusterMessage.class)
                                          instanceof ClusterMessage.Hello hello) {
                                        hellos.add(hello);
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

  private void startClient() {
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
                NodePolicy.acceptAll(),
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
