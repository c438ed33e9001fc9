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
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * answered with ACK {revision, hash, rejected}, or NACK with the reasons when the batch cannot be
 * read at all (the node then keeps serving what it had).
 *
 * <p>Per resource: the node applies every revision it can read and serves every resource of it that
 * its {@link NodePolicy} accepts; the routes the policy refuses are not served and are listed in
 * the ACK's {@code rejected}, so one refused route never blocks later changes. The ACK's and
 * heartbeat's hash is the hash of the configuration the node was sent (the control plane's expected
 * hash), not of the part it serves: anti-entropy compares like with like, and what the node serves
 * is a function of that configuration and its policy, the same after a snapshot as after a sequence
 * of deltas. The node reconnects after the waits of {@link ClusterClientOptions#reconnect()},
 * rotating through the control-plane URLs, and sends a heartbeat with its (revision, hash) so the
 * control plane can repair a silent divergence.
 *
 * <p>Identity: the node connects with its own credential ({@link NodeCredential}, kept in the data
 * dir by {@link NodeCredentialFile}). A node without one enrols first, once, with the cluster
 * token; a node whose credential is refused (an operator retired it) enrols again, which succeeds
 * only when its id is free. The cluster token is needed for enrolment only.
 */
public final class ClusterClient implements Supplier<GatewayConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterClient.class);
  private static final long PERSIST_DELAY_MS = 500;
  private static final long PERSIST_DELAY_MAX_MS = 30_000;

  /** The next snapshot write waits this many times as long as the last one took. */
  private static final long PERSIST_COST_FACTOR = 10;

  private final Vertx vertx;
  private final ClusterClientOptions options;
  private final SnapshotFile snapshotFile;
  private final NodeCredentialFile credentialFile;
  private final HttpClient enrolment;
  private final AtomicReference<NodeState> state;

  /** Callers waiting until this node applied a revision ({@link #applied}); released by swaps. */
  private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();

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

  private volatile Supplier<Future<ClusterMessage.NodeReport>> report =
      () -> Future.succeededFuture(ClusterMessage.NodeReport.NONE);

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
  private volatile long persistDelayMs = PERSIST_DELAY_MS;

  private ClusterClient(Vertx vertx, ClusterClientOptions options, Stored stored) {
    this.vertx = vertx;
    this.options = options;
    this.snapshotFile = new SnapshotFile(options.dataDir());
    this.credentialFile = new NodeCredentialFile(options.dataDir());
    this.credential = stored.credential();
    this.enrolment = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000));
    this.state =
        new AtomicReference<>(
            stored.config() == null
                ? NodeState.of(GatewayConfig.EMPTY, List.of())
                : NodeState.of(
                    stored.config(), options.policy().check(stored.config().routes().routes())));
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
   * What the node was sent (its hash is the one the control plane expects), what it serves of it,
   * and the resources it rejects.
   */
  private record NodeState(
      GatewayConfig received, GatewayConfig served, List<ClusterMessage.Rejection> rejected) {
    static NodeState of(GatewayConfig received, List<ClusterMessage.Rejection> rejected) {
      var routes = new ArrayList<String>();
      var pools = new java.util.HashSet<String>();
      for (var r : rejected) {
        if (r.entityType().equals("ROUTE")) {
          routes.add(r.entityId());
        } else if (r.entityType().equals("UPSTREAM")) {
          pools.add(r.entityId());
        }
      }
      if (!pools.isEmpty()) {
        // a route to a pool this node does not use is not served either
        for (var route : received.routes().routes()) {
          if (route.upstream() != null && pools.contains(route.upstream())) {
            routes.add(route.id());
          }
        }
      }
      return new NodeState(received, received.withoutRoutes(routes), List.copyOf(rejected));
    }
  }

  /** One caller of {@link #applied}, completed on its own context. */
  private record Waiter(long revision, Promise<Boolean> promise, Context context) {}

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

  /** What this node serves: the configuration it was sent without the resources it rejects. */
  @Override
  public GatewayConfig get() {
    return state.get().served();
  }

  /** The revision this node applied (with or without rejections). */
  public long appliedRevision() {
    return state.get().received().revision();
  }

  /** The resources of the applied revision this node does not serve, with why. */
  public List<ClusterMessage.Rejection> rejected() {
    return state.get().rejected();
  }

  /**
   * Completes with true once this node applied {@code revision} (at once when it has), with false
   * when it has not within {@code limit}. Completed by the swap that applies the revision, on the
   * caller's context; nothing polls.
   */
  public Future<Boolean> applied(long revision, java.time.Duration limit) {
    if (appliedRevision() >= revision) {
      return Future.succeededFuture(true);
    }
    var waiter = new Waiter(revision, Promise.promise(), vertx.getOrCreateContext());
    waiters.add(waiter);
    long timer =
        vertx.setTimer(
            Math.max(1, limit.toMillis()),
            id -> {
              if (waiters.remove(waiter)) {
                waiter.promise().tryComplete(false);
              }
            });
    waiter.promise().future().onSuccess(applied -> vertx.cancelTimer(timer));
    if (appliedRevision() >= revision) {
      release(revision); // applied between the check and the add
    }
    return waiter.promise().future();
  }

  /** Completes every waiter for {@code revision} or earlier; any thread. */
  private void release(long revision) {
    for (var waiter : waiters) {
      if (waiter.revision() <= revision && waiters.remove(waiter)) {
        waiter.context().runOnContext(v -> waiter.promise().tryComplete(true));
      }
    }
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
        java.util.Map.of("revision", appliedRevision(), "connected", connected()));
  }

  /** This node's id. */
  public String nodeId() {
    return options.nodeId();
  }

  /** True while the stream to a control plane is open. */
  public boolean connected() {
    return socket != null && !socket.isClosed();
  }

  /** Asks the control plane for anything newer right away (after a write this node forwarded). */
  public void pull() {
    context.runOnContext(v -> send(new ClusterMessage.Pull(appliedRevision())));
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
                        appliedRevision());
                    socket = null;
                    reconnectLater();
                  });
              hello();
              LOG.info(
                  "connected to control plane url={} node={} appliedRevision={}",
                  base,
                  options.nodeId(),
                  appliedRevision());
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
   * A module uploaded to the platform, fetched by its SHA-256 from the control plane this node last
   * connected to ({@code GET /cluster/modules/{sha256}}, as this node: its id and credential).
   * Fails when the node has no credential yet or the answer is not 200; the caller checks the
   * digest.
   */
  public Future<Buffer> fetchModule(String sha256) {
    var fetched = Promise.<Buffer>promise();
    context.runOnContext(
        v -> {
          var identity = credential;
          if (identity == null) {
            fetched.fail("this node has not enrolled yet");
            return;
          }
          var planes = options.controlPlanes();
          var base = planes.get(Math.floorMod(nextUrl - 1, planes.size()));
          var request =
              new RequestOptions()
                  .setMethod(HttpMethod.GET)
                  .setAbsoluteURI(base.resolve("/cluster/modules/" + sha256).toString())
                  .putHeader(CrossgateHeaders.NODE_ID, identity.nodeId())
                  .putHeader("Authorization", "Bearer " + identity.credential())
                  .setTimeout(30_000);
          if ("https".equalsIgnoreCase(base.getScheme())) {
            request.setSsl(true).setSslOptions(options.sslOptions());
          }
          enrolment
              .request(request)
              .compose(HttpClientRequest::send)
              .compose(
                  response ->
                      response
                          .body()
                          .compose(
                              body ->
                                  response.statusCode() == 200
                                      ? Future.succeededFuture(body)
                                      : Future.failedFuture(
                                          "the control plane answered "
                                              + response.statusCode()
                                              + " for module "
                                              + sha256)))
              .onComplete(fetched);
        });
    return fetched.future();
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
          appliedRevision());
    } else if (!message.equals(lastRefusal)) {
      lastRefusal = message;
      LOG.warn(
          "control plane refused this node url={} node={} reason=\"{}\"; serving revision {}",
          base,
          options.nodeId(),
          message,
          appliedRevision());
    } else {
      LOG.debug(
          "control plane refused this node url={} node={} reason=\"{}\"",
          base,
          options.nodeId(),
          message);
    }
  }

  private void hello() {
    var config = state.get().received();
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
                var applied = result.state();
                if (!applied.rejected().isEmpty()) {
                  LOG.warn(
                      "applied revision={} without {} rejected resource(s): {}",
                      applied.received().revision(),
                      applied.rejected().size(),
                      applied.rejected());
                }
                send(
                    new ClusterMessage.Ack(
                        applied.received().revision(),
                        applied.received().hashHex(),
                        applied.rejected()));
              }
            });
  }

  private Applied applyMessage(String text) throws java.io.IOException {
    ClusterMessage message;
    try {
      message = ClusterMessage.read(text);
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
   * Result of applying one batch at {@code revision}: the new state, the errors that refused it, or
   * a gap.
   */
  private record Applied(
      long revision, NodeState state, List<ClusterMessage.ApplyError> errors, boolean gap) {}

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
    var rejected = new ArrayList<>(options.policy().check(config.routes().routes()));
    rejected.addAll(options.policy().checkUpstreams(config.upstreams().values()));
    return swap(NodeState.of(config, rejected), "snapshot");
  }

  private Applied applyDelta(ClusterMessage.Delta delta) throws java.io.IOException {
    var from = state.get();
    if (delta.fromRevision() > from.received().revision()) {
      LOG.warn(
          "delta gap fromRevision={} appliedRevision={}; asking again",
          delta.fromRevision(),
          from.received().revision());
      return new Applied(delta.toRevision(), null, List.of(), true);
    }
    GatewayConfig next;
    try {
      // a delta leaves out audit entries nodes do not serve: it still brings the node to its end
      next = ConfigApplier.apply(from.received(), delta.changes()).atRevision(delta.toRevision());
    } catch (IllegalArgumentException e) {
      return refused(
          delta.toRevision(),
          new ClusterMessage.ApplyError(
              "DELTA", Long.toString(delta.toRevision()), e.getMessage()));
    }
    // the policy judges the routes and pools this delta touched; earlier rejections of untouched
    // ones stand
    var touchedIds = new LinkedHashSet<String>();
    var touchedPoolIds = new LinkedHashSet<String>();
    for (var change : delta.changes()) {
      if (change.entityType() == Change.EntityType.ROUTE) {
        touchedIds.add(change.entityId());
      } else if (change.entityType() == Change.EntityType.UPSTREAM) {
        touchedPoolIds.add(change.entityId());
      }
    }
    var rejected = new ArrayList<ClusterMessage.Rejection>();
    for (var r : from.rejected()) {
      boolean judgedAgain =
          (r.entityType().equals("ROUTE") && touchedIds.contains(r.entityId()))
              || (r.entityType().equals("UPSTREAM") && touchedPoolIds.contains(r.entityId()));
      if (!judgedAgain) {
        rejected.add(r);
      }
    }
    List<Route> touched =
        touchedIds.stream().map(next.routes()::get).filter(Objects::nonNull).toList();
    List<dev.crossgate.upstream.Upstream> touchedPools =
        touchedPoolIds.stream().map(next.upstreams()::get).filter(Objects::nonNull).toList();
    rejected.addAll(options.policy().check(touched));
    rejected.addAll(options.policy().checkUpstreams(touchedPools));
    return swap(NodeState.of(next, rejected), "delta");
  }

  private Applied swap(NodeState next, String how) {
    // counted before the swap: whoever sees the new revision sees it counted
    (how.equals("snapshot") ? snapshotsApplied : deltasApplied).incrementAndGet();
    var previous = state.getAndSet(next);
    configured = true;
    var received = next.received();
    LOG.info(
        "applied {} fromRevision={} toRevision={} routes={} rejected={} hash={}",
        how,
        previous.received().revision(),
        received.revision(),
        next.served().routes().size(),
        next.rejected().size(),
        received.hashHex());
    persistSoon();
    release(received.revision());
    return new Applied(received.revision(), next, List.of(), false);
  }

  /**
   * Writes the served configuration to disk once {@link #persistDelay} passed after the first
   * change since the last write: a burst of changes costs one write of the (possibly 100,000-route)
   * snapshot, not one per change. A crash in between loses nothing that matters: the node restarts
   * from an older revision and the control plane sends it the rest.
   */
  private void persistSoon() {
    if (persistScheduled.compareAndSet(false, true)) {
      vertx.setTimer(
          persistDelayMs,
          id ->
              vertx
                  .executeBlocking(
                      () -> {
                        persistScheduled.set(false);
                        long started = System.nanoTime();
                        snapshotFile.write(() -> state.get().received());
                        persistDelayMs = persistDelay((System.nanoTime() - started) / 1_000_000);
                        return null;
                      },
                      false)
                  .onFailure(
                      e ->
                          LOG.warn("cannot write the node snapshot error=\"{}\"", e.getMessage())));
    }
  }

  /**
   * How long changes wait for the next snapshot write, given how long the last one took: 500 ms, or
   * ten times the write when that is longer (at most 30 s), so that under a steady stream of
   * changes writing a large snapshot takes a tenth of the node's time at most (a 100,000-route
   * snapshot is tens of megabytes of JSON, and was written every 500 ms), and serving and applying
   * keep the rest.
   */
  static long persistDelay(long lastWriteMs) {
    return Math.min(
        PERSIST_DELAY_MAX_MS, Math.max(PERSIST_DELAY_MS, lastWriteMs * PERSIST_COST_FACTOR));
  }

  private static Applied refused(long revision, ClusterMessage.ApplyError error) {
    return new Applied(revision, null, List.of(error), false);
  }

  private void heartbeat() {
    report
        .get()
        .otherwise(
            e -> {
              LOG.warn("could not make the node report error=\"{}\"", e.getMessage());
              return ClusterMessage.NodeReport.NONE;
            })
        .onSuccess(
            r -> {
              var config = state.get().received();
              send(new ClusterMessage.Heartbeat(config.revision(), config.hashHex(), r));
            });
  }

  /**
   * What every heartbeat reports of the node from now on (its pools' health, its modules' load
   * state, its routes' traffic since the previous heartbeat — lost with a heartbeat that cannot be
   * sent): the traffic server's, which starts after this client (it serves the configuration this
   * client supplies). The future completes on this client's context.
   */
  public void report(Supplier<Future<ClusterMessage.NodeReport>> report) {
    this.report = report;
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
              snapshotFile.write(() -> state.get().received());
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
