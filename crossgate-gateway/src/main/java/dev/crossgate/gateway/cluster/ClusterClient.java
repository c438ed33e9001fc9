package dev.crossgate.gateway.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.crossgate.change.Change;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.config.ConfigApplier;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.json.Json;
import dev.crossgate.route.Route;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway node's end of the cluster stream. It serves from one {@link GatewayConfig}
 * reference: loaded from the disk snapshot at start (so the node serves even when the control
 * plane is unreachable), then replaced as SNAPSHOTs and DELTAs arrive. Each batch is applied on a
 * worker thread (the route table rebuild is not event-loop work), swapped atomically, written to
 * disk, and answered with ACK {revision, hash}, or NACK with the reasons when the batch cannot be
 * read or the {@link NodePolicy} refuses it (the node then keeps serving what it had). The node
 * reconnects with jittered back-off, rotating through the control-plane URLs, and sends a
 * heartbeat with its (revision, hash) so the control plane can repair a silent divergence.
 */
public final class ClusterClient implements Supplier<GatewayConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterClient.class);
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final ClusterClientOptions options;
  private final SnapshotFile snapshotFile;
  private final AtomicReference<GatewayConfig> current;
  private final WebSocketClient client;
  private final Context context;
  private final long heartbeatTimer;
  private WebSocket socket;
  private int nextUrl;
  private long backoffMs = 250;
  private volatile boolean closed;
  private final AtomicLong snapshotsApplied = new AtomicLong();
  private final AtomicLong deltasApplied = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  private ClusterClient(Vertx vertx, ClusterClientOptions options, GatewayConfig initial) {
    this.vertx = vertx;
    this.options = options;
    this.snapshotFile = new SnapshotFile(options.dataDir());
    this.current = new AtomicReference<>(initial);
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxMessageSize(512 * 1024 * 1024)
        .setMaxFrameSize(1024 * 1024)
        .setConnectTimeout(5_000));
    this.context = vertx.getOrCreateContext();
    this.heartbeatTimer = vertx.setPeriodic(options.heartbeat().toMillis(), id -> heartbeat());
  }

  /** Loads the disk snapshot (on a worker) and starts connecting; completes once the node can serve. */
  public static Future<ClusterClient> start(Vertx vertx, ClusterClientOptions options) {
    return vertx.executeBlocking(() -> new SnapshotFile(options.dataDir()).read().orElse(GatewayConfig.EMPTY), false)
        .map(initial -> {
          if (initial.revision() > 0) {
            LOG.info("serving from disk snapshot revision={} routes={} hash={}", initial.revision(),
                initial.routes().size(), initial.hashHex());
          }
          var c = new ClusterClient(vertx, options, initial);
          c.context.runOnContext(v -> c.connect());
          return c;
        });
  }

  @Override
  public GatewayConfig get() {
    return current.get();
  }

  /** Snapshots applied since start. */
  public long snapshotsApplied() {
    return snapshotsApplied.get();
  }

  /** Deltas applied since start. */
  public long deltasApplied() {
    return deltasApplied.get();
  }

  /** Batches refused (NACKed) since start. */
  public long refused() {
    return refused.get();
  }

  /** True while the stream to a control plane is open. */
  public boolean connected() {
    return socket != null && !socket.isClosed();
  }

  /** Asks the control plane for anything newer right away (after a write this node forwarded). */
  public void pull() {
    context.runOnContext(v -> send(new ClusterMessage.Pull(current.get().revision())));
  }

  private void connect() {
    if (closed) {
      return;
    }
    var base = options.controlPlanes().get(nextUrl++ % options.controlPlanes().size());
    var url = base.resolve("/cluster/stream").toString().replaceFirst("^http", "ws");
    var connect = new WebSocketConnectOptions().setAbsoluteURI(url)
        .addHeader("Authorization", "Bearer " + options.clusterToken())
        .setTimeout(10_000);
    if ("https".equalsIgnoreCase(base.getScheme())) {
      connect.setSsl(true).setSslOptions(options.sslOptions());
    }
    client.connect(connect).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("control plane unreachable url={} error=\"{}\"; serving revision {}", base, ar.cause().getMessage(),
            current.get().revision());
        reconnectLater();
        return;
      }
      var ws = ar.result();
      socket = ws;
      backoffMs = 250;
      ws.textMessageHandler(this::onText);
      ws.closeHandler(v -> {
        LOG.warn("cluster stream closed url={} status={}; serving revision {}", base, ws.closeStatusCode(),
            current.get().revision());
        socket = null;
        reconnectLater();
      });
      hello();
      LOG.info("connected to control plane url={} node={} appliedRevision={}", base, options.nodeId(),
          current.get().revision());
    });
  }

  private void hello() {
    var config = current.get();
    send(new ClusterMessage.Hello(options.nodeId(), config.revision(), config.hashHex(), options.version()));
  }

  private void reconnectLater() {
    if (closed) {
      return;
    }
    long delay = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    vertx.setTimer(delay, id -> connect());
  }

  /** Parses and applies on a worker: a snapshot of 100,000 routes is tens of megabytes of JSON. */
  private void onText(String text) {
    // ordered: batches are applied one after the other, in the order they arrived
    vertx.executeBlocking(() -> applyMessage(text), true).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("cannot apply a message from the control plane error=\"{}\"", ar.cause().getMessage());
        return;
      }
      var result = ar.result();
      if (result.gap()) {
        hello(); // tell the control plane where this node really is; it sends from there
      } else if (!result.errors().isEmpty()) {
        refused.incrementAndGet();
        LOG.warn("refused revision={} errors={}", result.revision(), result.errors());
        send(new ClusterMessage.Nack(result.revision(), result.errors()));
      } else {
        send(new ClusterMessage.Ack(result.config().revision(), result.config().hashHex()));
      }
    });
  }

  private Applied applyMessage(String text) throws java.io.IOException {
    ClusterMessage message;
    try {
      message = Json.mapper().readValue(text, ClusterMessage.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("unreadable message: " + e.getOriginalMessage(), e);
    }
    if (message instanceof ClusterMessage.Snapshot snapshot) {
      return applySnapshot(snapshot);
    }
    if (message instanceof ClusterMessage.Delta delta) {
      return applyDelta(delta);
    }
    throw new IllegalArgumentException("unexpected message " + message.getClass().getSimpleName());
  }

  /** Result of applying one batch at {@code revision}: the new config, the errors that refused it, or a gap. */
  private record Applied(long revision, GatewayConfig config, List<ClusterMessage.ApplyError> errors, boolean gap) {}

  private Applied applySnapshot(ClusterMessage.Snapshot snapshot) throws java.io.IOException {
    var config = snapshot.toConfig();
    if (!config.hashHex().equals(snapshot.hash())) {
      return refused(snapshot.revision(), new ClusterMessage.ApplyError("SNAPSHOT",
          Long.toString(snapshot.revision()), "hash " + config.hashHex() + " computed here differs from " + snapshot.hash()));
    }
    var errors = options.policy().check(config.routes().routes());
    return errors.isEmpty() ? swap(config, "snapshot") : new Applied(snapshot.revision(), null, errors, false);
  }

  private Applied applyDelta(ClusterMessage.Delta delta) throws java.io.IOException {
    var from = current.get();
    if (delta.fromRevision() > from.revision()) {
      LOG.warn("delta gap fromRevision={} appliedRevision={}; asking again", delta.fromRevision(), from.revision());
      return new Applied(delta.toRevision(), null, List.of(), true);
    }
    GatewayConfig next;
    try {
      next = ConfigApplier.apply(from, delta.changes());
    } catch (IllegalArgumentException e) {
      return refused(delta.toRevision(),
          new ClusterMessage.ApplyError("DELTA", Long.toString(delta.toRevision()), e.getMessage()));
    }
    var touched = new ArrayList<Route>();
    for (var change : delta.changes()) {
      var route = change.entityType() == Change.EntityType.ROUTE ? next.routes().get(change.entityId()) : null;
      if (route != null && !touched.contains(route)) {
        touched.add(route);
      }
    }
    var errors = options.policy().check(touched);
    return errors.isEmpty() ? swap(next, "delta") : new Applied(delta.toRevision(), null, errors, false);
  }

  private Applied swap(GatewayConfig next, String how) throws java.io.IOException {
    var previous = current.getAndSet(next);
    LOG.info("applied {} fromRevision={} toRevision={} routes={} hash={}", how, previous.revision(), next.revision(),
        next.routes().size(), next.hashHex());
    snapshotFile.write(next);
    (how.equals("snapshot") ? snapshotsApplied : deltasApplied).incrementAndGet();
    return new Applied(next.revision(), next, List.of(), false);
  }

  private static Applied refused(long revision, ClusterMessage.ApplyError error) {
    return new Applied(revision, null, List.of(error), false);
  }

  private void heartbeat() {
    var config = current.get();
    send(new ClusterMessage.Heartbeat(config.revision(), config.hashHex()));
  }

  private void send(ClusterMessage message) {
    var ws = socket;
    if (ws != null && !ws.isClosed()) {
      ws.writeTextMessage(Json.write(message));
    }
  }

  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(heartbeatTimer);
    var ws = socket;
    return (ws == null ? Future.<Void>succeededFuture() : ws.close()).eventually(client::close);
  }
}
