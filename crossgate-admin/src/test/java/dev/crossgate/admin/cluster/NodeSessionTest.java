package dev.crossgate.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.admin.AdminKit;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.cluster.NodeCredential;
import dev.crossgate.config.ConfigApplier;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.http.HttpRequest;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control plane's end of one node's stream, against a node played by a plain WebSocket client
 * over loopback that answers only when told. The resend back-off's randomness is injected: with the
 * lowest draw a resend comes after exactly the ack timeout, and every arming is one draw.
 */
class NodeSessionTest {
  private static final String TOKEN = "cluster-token-for-the-session-test";
  private static final String NODE = "n1";
  // a margin a loaded 2-core CI machine keeps: the silence limit is three of these
  private static final long HEARTBEAT_MS = 500;

  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger draws = new AtomicInteger();
  private final List<ClusterMessage> received = new CopyOnWriteArrayList<>();
  private AdminKit kit;

  /**
   * Held for the whole test: a Vert.x client nobody references is closed when the garbage collector
   * reclaims it, and its WebSocket with it (close code 1000) while the "node" still beats.
   */
  private WebSocketClient client;

  private WebSocket node;

  /** Whether the node acknowledges what it is sent, as soon as it arrives. */
  private volatile boolean acknowledging;

  /** What the node serves, as far as it acknowledged. */
  private final AtomicReference<GatewayConfig> applied = new AtomicReference<>(GatewayConfig.EMPTY);

  @BeforeEach
  void start() throws Exception {
    kit =
        AdminKit.start(
            "postgres",
            new ClusterOptions(
                TOKEN,
                Duration.ofSeconds(1),
                Duration.ofSeconds(4),
                1000,
                () -> {
                  draws.incrementAndGet();
                  return 0.0;
                },
                ClusterOptions.DEFAULT_MISSED_HEARTBEATS));
    var created =
        kit.post(
            "/admin/routes",
            "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v1\","
                + "\"targetUrl\":\"http://svc/home\",\"methods\":[\"GET\"]}");
    assertThat(created.status()).isEqualTo(201);
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null && !node.isClosed()) {
      join(node.close());
    }
    join(vertx.close());
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void aNodeIsToldThatTheControlPlaneIsStoppingNotThatItWasReplaced() throws Exception {
    acknowledging = true;
    connectAndSayHello(0);
    var closed = new java.util.concurrent.CompletableFuture<String>();
    node.closeHandler(v -> closed.complete(node.closeStatusCode() + " " + node.closeReason()));
    await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());

    kit.close();
    kit = null;

    assertThat(closed.get(20, java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo("1001 control plane shutting down");
  }

  @Test
  void aBatchTheNodeDoesNotAcknowledgeIsSentAgainForTheSameRevision() throws Exception {
    connectAndSayHello(0);

    await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 2);

    assertThat(revision(received.get(0))).isPositive();
    assertThat(revision(received.get(1))).isEqualTo(revision(received.get(0)));
    assertThat(received.get(1).getClass()).isEqualTo(received.get(0).getClass());
    assertThat(draws.get()).as("the back-off is drawn for each send").isGreaterThanOrEqualTo(2);
  }

  @Test
  void anAcknowledgedBatchIsNotSentAgainAndTheNextChangeFollows() throws Exception {
    acknowledging = true;
    connectAndSayHello(0);
    await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());
    var first = received.get(0);

    kit.post(
        "/admin/routes",
        "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v2\","
            + "\"targetUrl\":\"http://svc/v2\",\"methods\":[\"GET\"]}");

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> received.stream().anyMatch(m -> revision(m) > revision(first)));
    var afterAck = received.subList(1, received.size());
    assertThat(afterAck).allSatisfy(m -> assertThat(revision(m)).isGreaterThan(revision(first)));
  }

  @Test
  void theNextBatchIsSentWhileTheRecordOfTheLastAckWaitsForTheDatabase() throws Exception {
    acknowledging = true;
    connectAndSayHello(0);
    long first = kit.get("/admin/changes").json().path("latestRevision").asLong();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> nodeView().path("appliedRevision").asLong() == first);

    // another transaction holds the node's row that recording an ACK locks: the record waits
    try (var db = DriverManager.getConnection(kit.databaseUrl(), "postgres", null)) {
      db.setAutoCommit(false);
      try (var lock =
          db.prepareStatement("SELECT 1 FROM node_credentials WHERE node_id = ? FOR UPDATE")) {
        lock.setString(1, NODE);
        lock.executeQuery().close();
      }
      try {
        var second = kit.post("/admin/routes", route("v2"));
        var third = kit.post("/admin/routes", route("v3"));
        long latest = Long.parseLong(third.header("x-crossgate-revision"));

        assertThat(second.status()).isEqualTo(201);
        assertThat(third.status()).isEqualTo(201);
        // the node acknowledged the second change (its record is stuck behind the lock) and is
        // sent the third all the same
        await().atMost(Duration.ofSeconds(20)).until(() -> applied.get().revision() == latest);
        assertThat(nodeView().path("appliedRevision").asLong()).isEqualTo(first);
      } finally {
        db.rollback();
      }
    }
    long latest = kit.get("/admin/changes").json().path("latestRevision").asLong();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> nodeView().path("appliedRevision").asLong() == latest);
    assertThat(applied.get().hashHex()).isEqualTo(kit.controlPlane().follower().get().hashHex());
  }

  private static String route(String version) {
    return "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\""
        + version
        + "\",\"targetUrl\":\"http://svc/"
        + version
        + "\",\"methods\":[\"GET\"]}";
  }

  @Test
  void adminTokenEntriesAndBeforeImagesStayOnTheControlPlaneYetTheDeltaEndsAtTheLatestRevision()
      throws Exception {
    acknowledging = true;
    connectAndSayHello(0);
    await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());
    var first = received.get(0);
    var route = kit.get("/admin/routes").json().path("items").get(0);

    var edited =
        kit.put(
            "/admin/routes/" + route.path("id").asText(),
            "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v1\","
                + "\"targetUrl\":\"http://svc/edited\",\"methods\":[\"GET\"]}");
    var issued = kit.post("/admin/tokens", "{\"name\":\"ci\",\"role\":\"VIEWER\"}");
    long latest = kit.get("/admin/changes").json().path("latestRevision").asLong();

    assertThat(edited.status()).isEqualTo(200);
    assertThat(issued.status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(20)).until(() -> applied.get().revision() == latest);
    var later = received.stream().filter(m -> revision(m) > revision(first)).toList();
    assertThat(later)
        .allSatisfy(m -> assertThat(m).isInstanceOf(ClusterMessage.Delta.class))
        .flatExtracting(m -> ((ClusterMessage.Delta) m).changes())
        .allSatisfy(
            c -> {
              assertThat(c.entityType()).isEqualTo(dev.crossgate.change.Change.EntityType.ROUTE);
              assertThat(c.before()).as("nodes get no before-images").isNull();
              assertThat(c.after()).isNotNull();
            })
        .isNotEmpty();
    assertThat(applied.get().hashHex()).isEqualTo(kit.controlPlane().follower().get().hashHex());
  }

  @Test
  void aNodeThatStopsSendingIsShownDisconnectedAfterThreeMissedHeartbeatsAndItsStreamIsClosed()
      throws Exception {
    acknowledging = true;
    var closeStatus = new AtomicReference<Short>();
    connectAndSayHello(HEARTBEAT_MS);
    node.closeHandler(v -> closeStatus.set(node.closeStatusCode()));
    var beats = new AtomicInteger();
    long beating =
        vertx.setPeriodic(
            HEARTBEAT_MS,
            id -> {
              if (beats.incrementAndGet() == 3) {
                // a collection while the node beats must not end its stream (the client is held)
                System.gc();
              }
              node.writeTextMessage(
                  Json.write(
                      new ClusterMessage.Heartbeat(
                          applied.get().revision(), applied.get().hashHex())));
            });

    // beating for more than three times the silence limit keeps it connected
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> beats.get() >= 4 * ClusterOptions.DEFAULT_MISSED_HEARTBEATS);
    var whileBeating = nodeView();
    vertx.cancelTimer(
        beating); // the node freezes: its connection stays open, it sends nothing more

    assertThat(whileBeating.path("connected").asBoolean()).isTrue();
    assertThat(closeStatus.get()).isNull();
    await().atMost(Duration.ofSeconds(20)).until(() -> !nodeView().path("connected").asBoolean());
    await().atMost(Duration.ofSeconds(20)).until(() -> closeStatus.get() != null);
    assertThat(closeStatus.get()).isEqualTo((short) 1008);
  }

  private com.fasterxml.jackson.databind.JsonNode nodeView() throws Exception {
    for (var n : kit.get("/admin/nodes").json().path("nodes")) {
      if (n.path("nodeId").asText().equals(NODE)) {
        return n;
      }
    }
    throw new AssertionError("node " + NODE + " is not listed");
  }

  /**
   * Connects as {@link #NODE} and says HELLO announcing {@code heartbeatMillis} (0: none, as older
   * nodes).
   */
  private void connectAndSayHello(long heartbeatMillis) throws Exception {
    var enrolled =
        kit.send(
            HttpRequest.newBuilder(kit.uri("/cluster/enrol"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        Json.write(new NodeCredential.EnrolmentRequest(NODE)))));
    assertThat(enrolled.status()).isEqualTo(201);
    var credential = Json.read(enrolled.body(), NodeCredential.class);
    var connect =
        new WebSocketConnectOptions()
            .setHost("127.0.0.1")
            .setPort(kit.controlPlane().port())
            .setURI("/cluster/stream")
            .addHeader(CrossgateHeaders.NODE_ID, NODE)
            .addHeader("Authorization", "Bearer " + credential.credential());
    client = vertx.createWebSocketClient();
    node = join(client.connect(connect));
    node.textMessageHandler(
        text -> {
          var message = Json.read(text, ClusterMessage.class);
          received.add(message);
          if (acknowledging) {
            // as a node does: apply the batch, answer the revision and the hash of what it now
            // serves
            var config =
                message instanceof ClusterMessage.Snapshot s
                    ? s.toConfig()
                    : ConfigApplier.apply(applied.get(), ((ClusterMessage.Delta) message).changes())
                        .atRevision(((ClusterMessage.Delta) message).toRevision());
            applied.set(config);
            node.writeTextMessage(
                Json.write(new ClusterMessage.Ack(config.revision(), config.hashHex())));
          }
        });
    node.writeTextMessage(
        Json.write(
            new ClusterMessage.Hello(
                NODE, 0, GatewayConfig.EMPTY.hashHex(), "test", heartbeatMillis)));
  }

  private static long revision(ClusterMessage message) {
    if (message instanceof ClusterMessage.Snapshot s) {
      return s.revision();
    }
    if (message instanceof ClusterMessage.Delta d) {
      return d.toRevision();
    }
    throw new AssertionError("a node is sent snapshots and deltas only, got " + message);
  }

  private static <T> T join(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
