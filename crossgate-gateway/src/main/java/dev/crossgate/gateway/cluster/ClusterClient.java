package dev.crossgate.gateway.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.crossgate.change.Change;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.cluster.NodeCredential;
import dev.crossgate.config.ConfigApplier;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.health.Readiness;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import dev.crossgate.route.Route;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway node's end of the cluster stream. It serves from one {@link GatewayConfig} reference:
 * loaded from the disk snapshot at start (so the node serves even when the control plane is
 * unreachable), then replaced as SNAPSHOTs and DELTAs arrive. Each batch is applied on a worker
 * thread (the route table rebuild is not event-loop work), swapped atomically, written to disk, and
 * answered with ACK {revision, hash}, or NACK with the reasons when the batch cannot be read or the
 * {@link NodePolicy} refuses it (the node then keeps serving what it had). The node reconnects
 * after the waits of {@link ClusterClientOptions#reconnect()}, rotating through the control-plane
 * URLs, and sends a heartbeat with its (revision, hash) so the control plane can repair a silent
 * divergence.
 *
 * <p>Identity: the node connects with its own credential ({@link NodeCredential}, kept in the data
 * dir by {@link NodeCredentialFile}). A node without one enrols first, once, with the cluster
 * token; a node whose credential is refused (an operator retired it) enrols again, which succeeds
 * only when its id is free. The cluster token is needed for enrolment only.
 */
public final class ClusterClient implements Supplier<GatewayConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterClient.class);
  private static final long PERSIST_DELAY_MS = 500;

  private final Vertx vertx;
  private final ClusterClientOptions options;
  private final SnapshotFile snapshotFile;
  private final NodeCredentialFile credentialFile;
  private final HttpClient enrolment;
  private final AtomicReference<GatewayConfig> current;
  private final WebSocketClient client;
  private final Context context;
  private final long heartbeatTimer;
  private WebSocket socket;

  /** This node's credential; null until it enrolled. Touched on {@link #context} only. */
  private NodeCredential credential;

  /**
   * The last refusal logged at WARN, so a node waiting for an operator does not repeat it every few
   * seconds.
   */
  private String lastRefusal;

  private int nextUrl;

  /**
   * Attempts to connect that failed since the stream was last open. Touched on {@link #context}
   * only.
   */
  private int failedAttempts;

  private volatile boolean closed;

  /**
   * Whether the node serves a configuration it was given: a snapshot read from disk or applied from
   * the control plane. Not while it serves {@link GatewayConfig#EMPTY} because it had none, or
   * discarded a corrupt one: such a node answers 404 to everything and must not be sent traffic.
   */
  private volatile boolean configured;

  private final Readiness readiness =
      new Readiness().require("configuration", this::configurationApplied);
  private final AtomicLong snapshotsApplied = new AtomicLong();
  private final AtomicLong deltasApplied = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean persistScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();

  private ClusterClient(Vertx vertx, ClusterClientOptions options, Stored stored) {
    this.vertx = vertx;
    this.options = options;
    this.snapshotFile = new SnapshotFile(options.dataDir());
    this.credentialFile = new NodeCredentialFile(options.dataDir());
    this.credential = stored.credential();
    this.enrolment = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000));
    this.current =
        new AtomicReference<>(stored.config() == null ? GatewayConfig.EMPTY : stored.config());
    this.configured = stored.config() != null;
    this.client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxMessageSize(512 * 1024 * 1024)
                .setMaxFrameSize(1024 * 1024)
                .setConnectTimeout(5_000));
    this.context = vertx.getOrCreateContext();
    this.heartbeatTimer = vertx.setPeriodic(options.heartbeat().toMillis(), id -> heartbeat());
  }

  /**
   * What the node finds in its data dir at start: its snapshot (null: none it can trust) and
   * credential.
   */
  private record Stored(GatewayConfig config, NodeCredential credential) {}

  /**
   * Loads the disk snapshot and the node credential (on a worker) and starts connecting; completes
   * once the node can serve. Fails when the node has neither a credential nor a cluster token to
   * enrol with: it could never join.
   */
  public static Future<ClusterClient> start(Vertx vertx, ClusterClientOptions options) {
    return vertx
        .executeBlocking(
            () -> {
              var credentialFile = new NodeCredentialFile(options.dataDir());
              var credential = credentialFile.read(options.nodeId()).orElse(null);
              if (credential == null && options.clusterToken() == null) {
                throw new IllegalStateException(
                    "node "
                        + options.nodeId()
                        + " has no credential in "
                        + credentialFile.path()
                        + " and no cluster token to enrol with (--cluster-token)");
              }
              return new Stored(
                  new SnapshotFile(options.dataDir()).read().orElse(null), credential);
            },
            false)
        .map(
            stored -> {
              var initial = stored.config();
              if (initial != null) {
                LOG.info(
                    "serving from disk snapshot revision={} routes={} hash={}",
                    initial.revision(),
                    initial.routes().size(),
                    initial.hashHex());
              }
              var c = new ClusterClient(vertx, options, stored);
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

  /**
   * The node's readiness, for its {@code /readyz} and {@code /_ready}: ready once the node serves a
   * configuration it was given (a disk snapshot or one applied from the control plane); a node
   * still waiting for its first snapshot is not. The role drains it on shutdown.
   */
  public Readiness readiness() {
    return readiness;
  }

  /**
   * Passes once {@link #configured}, showing the revision served and whether the stream is open.
   */
  private Future<java.util.Map<String, Object>> configurationApplied() {
    if (!configured) {
      return Future.failedFuture(
          new Readiness.NotReady(
              "no configuration applied yet: waiting for a snapshot from " + "the control plane"));
    }
    return Future.succeededFuture(
        java.util.Map.of("revision", current.get().revision(), "connected", connected()));
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
    var identity = credential != null ? Future.succeededFuture(credential) : enrol(base);
    identity
        .compose(c -> open(base, c))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                refused(base, ar.cause());
                reconnectLater();
                return;
              }
              var ws = ar.result();
              socket = ws;
              failedAttempts = 0;
              lastRefusal = null;
              ws.textMessageHandler(this::onText);
              ws.closeHandler(
                  v -> {
                    LOG.warn(
                        "cluster stream closed url={} status={} reason=\"{}\"; serving revision {}",
                        base,
                        ws.closeStatusCode(),
                        ws.closeReason(),
                        current.get().revision());
                    socket = null;
                    reconnectLater();
                  });
              hello();
              LOG.info(
                  "connected to control plane url={} node={} appliedRevision={}",
                  base,
                  options.nodeId(),
                  current.get().revision());
            });
  }

  /** Opens the stream as this node: its id and its credential on the upgrade request. */
  private Future<WebSocket> open(URI base, NodeCredential identity) {
    var url = base.resolve("/cluster/stream").toString().replaceFirst("^http", "ws");
    var connect =
        new WebSocketConnectOptions()
            .setAbsoluteURI(url)
            .addHeader(CrossgateHeaders.NODE_ID, identity.nodeId())
            .addHeader("Authorization", "Bearer " + identity.credential())
            .setTimeout(10_000);
    if ("https".equalsIgnoreCase(base.getScheme())) {
      connect.setSsl(true).setSslOptions(options.sslOptions());
    }
    return client
        .connect(connect)
        .recover(
            e -> {
              if (e instanceof UpgradeRejectedException rejected
                  && rejected.getStatus() == 401
                  && credential == identity) {
                // retired by an operator (or a control plane with another database): the next
                // attempt
                // enrols again, which works only if the id is free; the file is replaced only then
                credential = null;
                return Future.failedFuture(
                    new Refusal(
                        options.clusterToken() == null
                            ? "the control plane refused this node's credential and there is no cluster token to enrol again with"
                            : "the control plane refused this node's credential (retired?); enrolling again with the cluster token"));
              }
              return Future.failedFuture(e);
            });
  }

  /**
   * Enrols this node: the cluster token and the node id buy a credential, shown this once, which is
   * stored in the data dir before it is used. Runs on {@link #context}.
   */
  private Future<NodeCredential> enrol(URI base) {
    if (options.clusterToken() == null) {
      return Future.failedFuture(
          new Refusal("this node has no credential and no cluster token to enrol with"));
    }
    var request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(base.resolve("/cluster/enrol").toString())
            .putHeader("Authorization", "Bearer " + options.clusterToken())
            .putHeader("Content-Type", "application/json")
            .setTimeout(10_000);
    if ("https".equalsIgnoreCase(base.getScheme())) {
      request.setSsl(true).setSslOptions(options.sslOptions());
    }
    var body =
        Buffer.buffer(Json.writeBytes(new NodeCredential.EnrolmentRequest(options.nodeId())));
    return enrolment
        .request(request)
        .compose(req -> req.send(body))
        .compose(
            response ->
                response
                    .body()
                    .map(
                        answer ->
                            switch (response.statusCode()) {
                              case 201 -> readCredential(answer);
                              case 409 ->
                                  throw new Refusal(
                                      "node id "
                                          + options.nodeId()
                                          + " is enrolled already and this node has no "
                                          + "credential for it ("
                                          + credentialFile.path()
                                          + "); an operator retires it first: DELETE /admin/nodes/"
                                          + options.nodeId());
                              case 401 ->
                                  throw new Refusal("the control plane refused the cluster token");
                              // the problem's detail says why; its request id would make every
                              // attempt's message differ
                              default ->
                                  throw new Refusal(
                                      "enrolment answered "
                                          + response.statusCode()
                                          + ": "
                                          + detail(answer));
                            }))
        .compose(
            issued ->
                vertx
                    .executeBlocking(
                        () -> {
                          credentialFile.write(issued);
                          return issued;
                        },
                        false)
                    .recover(
                        e -> {
                          // keep going with it: the node works until it restarts, then an operator
                          // must retire it
                          LOG.error(
                              "cannot store the node credential file={} error=\"{}\"; after a restart this node cannot prove "
                                  + "who it is until an operator retires it",
                              credentialFile.path(),
                              e.getMessage());
                          return Future.succeededFuture(issued);
                        }))
        .map(
            issued -> {
              credential = issued;
              LOG.info(
                  "enrolled with the control plane url={} node={} credentialFile={}",
                  base,
                  issued.nodeId(),
                  credentialFile.path());
              return issued;
            });
  }

  private NodeCredential readCredential(Buffer answer) {
    try {
      var issued = Json.mapper().readValue(answer.getBytes(), NodeCredential.class);
      if (!issued.nodeId().equals(options.nodeId())) {
        throw new Refusal("enrolment answered a credential for another node: " + issued.nodeId());
      }
      return issued;
    } catch (java.io.IOException e) {
      throw new Refusal("enrolment answered an unreadable credential");
    }
  }

  private static String detail(Buffer problem) {
    try {
      return Json.mapper().readTree(problem.getBytes()).path("detail").asText("-");
    } catch (java.io.IOException e) {
      return "-";
    }
  }

  /**
   * Why the control plane would not let this node in; logged once at WARN until something changes.
   */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refusal(String message) {
      super(message, null, false, false);
    }
  }

  private void refused(URI base, Throwable cause) {
    var message = cause.getMessage();
    if (!(cause instanceof Refusal)) {
      LOG.warn(
          "control plane unreachable url={} error=\"{}\"; serving revision {}",
          base,
          message,
          current.get().revision());
    } else if (!message.equals(lastRefusal)) {
      lastRefusal = message;
      LOG.warn(
          "control plane refused this node url={} node={} reason=\"{}\"; serving revision {}",
          base,
          options.nodeId(),
          message,
          current.get().revision());
    } else {
      LOG.debug(
          "control plane refused this node url={} node={} reason=\"{}\"",
          base,
          options.nodeId(),
          message);
    }
  }

  private void hello() {
    var config = current.get();
    send(
        new ClusterMessage.Hello(
            options.nodeId(),
            configured ? config.revision() : ClusterMessage.Hello.UNCONFIGURED,
            config.hashHex(),
            options.version(),
            options.heartbeat().toMillis()));
  }

  private void reconnectLater() {
    if (closed) {
      return;
    }
    long delay = options.reconnect().delay(failedAttempts++).toMillis();
    // a timer of 0 ms is refused by Vert.x; 1 ms is as good as at once
    vertx.setTimer(Math.max(1, delay), id -> connect());
  }

  /** Parses and applies on a worker: a snapshot of 100,000 routes is tens of megabytes of JSON. */
  private void onText(String text) {
    // ordered: batches are applied one after the other, in the order they arrived
    vertx
        .executeBlocking(() -> applyMessage(text), true)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                LOG.warn(
                    "cannot apply a message from the control plane error=\"{}\"",
                    ar.cause().getMessage());
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

  /**
   * Result of applying one batch at {@code revision}: the new config, the errors that refused it,
   * or a gap.
   */
  private record Applied(
      long revision, GatewayConfig config, List<ClusterMessage.ApplyError> errors, boolean gap) {}

  private Applied applySnapshot(ClusterMessage.Snapshot snapshot) throws java.io.IOException {
    var config = snapshot.toConfig();
    if (!config.hashHex().equals(snapshot.hash())) {
      return refused(
          snapshot.revision(),
          new ClusterMessage.ApplyError(
              "SNAPSHOT",
              Long.toString(snapshot.revision()),
              "hash " + config.hashHex() + " computed here differs from " + snapshot.hash()));
    }
    var errors = new ArrayList<>(options.policy().check(config.routes().routes()));
    errors.addAll(options.policy().checkUpstreams(config.upstreams().values()));
    return errors.isEmpty()
        ? swap(config, "snapshot")
        : new Applied(snapshot.revision(), null, errors, false);
  }

  private Applied applyDelta(ClusterMessage.Delta delta) throws java.io.IOException {
    var from = current.get();
    if (delta.fromRevision() > from.revision()) {
      LOG.warn(
          "delta gap fromRevision={} appliedRevision={}; asking again",
          delta.fromRevision(),
          from.revision());
      return new Applied(delta.toRevision(), null, List.of(), true);
    }
    GatewayConfig next;
    try {
      next = ConfigApplier.apply(from, delta.changes());
    } catch (IllegalArgumentException e) {
      return refused(
          delta.toRevision(),
          new ClusterMessage.ApplyError(
              "DELTA", Long.toString(delta.toRevision()), e.getMessage()));
    }
    var touched = new ArrayList<Route>();
    var touchedUpstreams = new ArrayList<dev.crossgate.upstream.Upstream>();
    for (var change : delta.changes()) {
      var upstream =
          change.entityType() == Change.EntityType.UPSTREAM
              ? next.upstreams().get(change.entityId())
              : null;
      if (upstream != null && !touchedUpstreams.contains(upstream)) {
        touchedUpstreams.add(upstream);
      }
      var route =
          change.entityType() == Change.EntityType.ROUTE
              ? next.routes().get(change.entityId())
              : null;
      if (route != null && !touched.contains(route)) {
        touched.add(route);
      }
    }
    var errors = new ArrayList<>(options.policy().check(touched));
    errors.addAll(options.policy().checkUpstreams(touchedUpstreams));
    return errors.isEmpty()
        ? swap(next, "delta")
        : new Applied(delta.toRevision(), null, errors, false);
  }

  private Applied swap(GatewayConfig next, String how) throws java.io.IOException {
    // counted before the swap: whoever sees the new revision sees it counted
    (how.equals("snapshot") ? snapshotsApplied : deltasApplied).incrementAndGet();
    var previous = current.getAndSet(next);
    configured = true;
    LOG.info(
        "applied {} fromRevision={} toRevision={} routes={} hash={}",
        how,
        previous.revision(),
        next.revision(),
        next.routes().size(),
        next.hashHex());
    persistSoon();
    return new Applied(next.revision(), next, List.of(), false);
  }

  /**
   * Writes the served configuration to disk at most every {@link #PERSIST_DELAY_MS}: a burst of
   * changes costs one write of the (possibly 100,000-route) snapshot, not one per change. A crash
   * in between loses nothing that matters: the node restarts from an older revision and the control
   * plane sends it the rest.
   */
  private void persistSoon() {
    if (persistScheduled.compareAndSet(false, true)) {
      vertx.setTimer(
          PERSIST_DELAY_MS,
          id ->
              vertx
                  .executeBlocking(
                      () -> {
                        persistScheduled.set(false);
                        snapshotFile.write(current.get());
                        return null;
                      },
                      false)
                  .onFailure(
                      e ->
                          LOG.warn("cannot write the node snapshot error=\"{}\"", e.getMessage())));
    }
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

  /** Closes the stream; the served configuration is written to disk first. */
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(heartbeatTimer);
    var persisted =
        vertx.executeBlocking(
            () -> {
              snapshotFile.write(current.get());
              return null;
            },
            false);
    var ws = socket;
    return persisted
        .transform(ar -> ws == null ? Future.<Void>succeededFuture() : ws.close())
        .eventually(client::close)
        .eventually(enrolment::close);
  }
}
