package dev.crossgate.admin.cluster;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.admin.traffic.TrafficSampler;
import dev.crossgate.auth.Secrets;
import dev.crossgate.cluster.NodeCredential;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.extension.ExtensionValidator;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.retry.Backoff;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.cluster.NodeRecord;
import dev.crossgate.store.cluster.NodeRepository;
import dev.crossgate.store.extension.ExtensionModuleRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's end of the cluster stream. A node enrols once on {@code POST /cluster/enrol}
 * with the cluster token and receives a credential of its own ({@link NodeCredential}); from then
 * on it connects on {@code /cluster/stream} (WebSocket) with {@code X-Crossgate-Node-Id} and {@code
 * Authorization: Bearer <credential>}. The hub keeps one {@link NodeSession} per connected node and
 * tells every session when the configuration moved. Any control-plane instance can serve any node:
 * node state and credentials live in the database.
 *
 * <p>Why not the cluster token on the stream: everyone who holds it (every node's configuration)
 * could say HELLO as any node, receive every API-key hash in a SNAPSHOT, acknowledge for a dead
 * node and push the real one off. The token now only creates identities that do not exist yet.
 *
 * <p>The same node credential fetches WebAssembly modules uploaded to the platform, by digest, on
 * {@code GET /cluster/modules/{sha256}}.
 */
public final class ClusterHub implements AdminEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterHub.class);
  static final String ENROL_PATH = "/cluster/enrol";
  static final String STREAM_PATH = "/cluster/stream";
  static final String MODULES_PATH = "/cluster/modules/";

  private final Vertx vertx;
  private final ConfigFollower follower;
  private final ChangeLog changeLog;
  private final NodeRepository nodes;
  private final ExtensionModuleRepository modules;
  private final ClusterOptions options;
  private final Backoff resendBackoff;
  private final String instanceId;
  private final TrafficSampler traffic;
  private final Map<String, NodeSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, NodeFigures> figures = new ConcurrentHashMap<>();
  private final long checkTimer;
  private final long pruneTimer;

  public ClusterHub(
      Vertx vertx,
      ConfigFollower follower,
      ChangeLog changeLog,
      NodeRepository nodes,
      ExtensionModuleRepository modules,
      ClusterOptions options,
      String instanceId,
      TrafficSampler traffic) {
    this.vertx = vertx;
    this.follower = follower;
    this.changeLog = changeLog;
    this.nodes = nodes;
    this.modules = modules;
    this.options = options;
    this.resendBackoff = options.resendBackoff();
    this.instanceId = instanceId;
    this.traffic = traffic;
    follower.onAdvance(this::advanced);
    this.checkTimer = vertx.setPeriodic(1000, id -> checkSessions());
    this.pruneTimer =
        vertx.setPeriodic(
            60_000,
            id -> vertx.executeBlocking(() -> changeLog.prune(options.retainedRevisions()), false));
  }

  @Override
  public void mount(Router router) {
    router.post(ENROL_PATH).handler(BodyHandler.create(false).setBodyLimit(4096));
    router.post(ENROL_PATH).handler(this::enrol);
    router.get(STREAM_PATH).handler(this::accept);
    router.get(MODULES_PATH + ":sha256").handler(this::module);
  }

  /**
   * {@code POST /cluster/enrol {nodeId}} with the cluster token: 201 {@code {nodeId, credential}}
   * (shown this once; only its SHA-256 is stored), 409 when the id is enrolled already.
   */
  private void enrol(RoutingContext ctx) {
    if (!isClusterToken(bearer(ctx))) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"crossgate-cluster\"");
      ctx.fail(
          new ProblemException(
              Problem.unauthorized(
                  options.clusterToken() == null
                      ? "this control plane has no cluster token configured (--cluster-token): nodes cannot enrol"
                      : "send the cluster token as 'Authorization: Bearer <token>' to enrol a node")));
      return;
    }
    var request = Replies.body(ctx, NodeCredential.EnrolmentRequest.class);
    if (!NodeCredential.validNodeId(request.nodeId())) {
      throw new ProblemException(
          Problem.validation(
              List.of(
                  new FieldError(
                      "nodeId",
                      "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128 characters"))));
    }
    var issued = NodeCredential.issue(request.nodeId());
    var remote = ctx.request().remoteAddress();
    Replies.offload(ctx, () -> nodes.enrol(issued.nodeId(), issued.credentialHash()))
        .onSuccess(
            enrolled -> {
              if (!enrolled) {
                LOG.warn(
                    "node enrolment refused node={} reason=\"enrolled already\" remote={}",
                    issued.nodeId(),
                    remote);
                ctx.fail(
                    new ProblemException(
                        Problem.conflict(
                            "node "
                                + issued.nodeId()
                                + " is enrolled already and "
                                + "connects with its own credential; to enrol this id again an operator retires it first "
                                + "(DELETE /admin/nodes/"
                                + issued.nodeId()
                                + ")")));
                return;
              }
              LOG.info("node enrolled node={} remote={}", issued.nodeId(), remote);
              ctx.response().putHeader("cache-control", "no-store");
              Replies.json(ctx, 201, issued);
            })
        .onFailure(ctx::fail);
  }

  /**
   * Upgrades to the stream only for a node that proves its credential; every refusal is a 401
   * problem on the upgrade, the same whether the id is unknown or the credential wrong (the stream
   * does not tell a stranger which ids are enrolled). The credential is checked before the upgrade,
   * so a forger never gets as far as a HELLO, let alone a SNAPSHOT.
   */
  private void accept(RoutingContext ctx) {
    var nodeId = ctx.request().getHeader(CrossgateHeaders.NODE_ID);
    ctx.request().pause(); // the upgrade waits for the database; nothing may be read before it
    authenticate(ctx, "cluster stream")
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.request().resume();
                ctx.fail(ar.cause());
                return;
              }
              var presentedHash = ar.result();
              ctx.request()
                  .toWebSocket()
                  .onSuccess(
                      ws -> {
                        var session = new NodeSession(this, ws, nodeId, presentedHash);
                        ws.closeHandler(v -> session.closed());
                      })
                  .onFailure(
                      e -> {
                        LOG.warn(
                            "cluster stream upgrade failed node={} error=\"{}\"",
                            nodeId,
                            e.getMessage());
                        if (!ctx.response()
                            .headWritten()) { // e.g. a plain GET: answer it rather than leave it
                          // hanging
                          ctx.fail(
                              new ProblemException(
                                  Problem.badRequest(
                                      "a WebSocket upgrade is expected on " + STREAM_PATH)));
                        }
                      });
            });
  }

  /**
   * {@code GET /cluster/modules/{sha256}}: a WebAssembly module uploaded to the platform, for an
   * enrolled node that proves its credential (as on the stream). Nodes ask by digest, never by URL,
   * and check the digest again before they run what they received.
   */
  private void module(RoutingContext ctx) {
    var sha256 = ctx.pathParam("sha256");
    authenticate(ctx, "module fetch")
        .compose(
            ignored ->
                ExtensionValidator.SHA256.matcher(sha256).matches()
                    ? vertx.executeBlocking(() -> modules.module(sha256), false)
                    : Future.succeededFuture(java.util.Optional.<byte[]>empty()))
        .onSuccess(
            found -> {
              if (found.isEmpty()) {
                ctx.fail(
                    new ProblemException(Problem.notFound("no module with SHA-256 " + sha256)));
                return;
              }
              ctx.response()
                  .putHeader("content-type", "application/wasm")
                  .end(io.vertx.core.buffer.Buffer.buffer(found.get()));
            })
        .onFailure(ctx::fail);
  }

  /**
   * Checks the node id and credential a request presents; completes with the credential's hash, or
   * fails with a 401 problem (the same whether the id is unknown or the credential wrong).
   */
  private Future<String> authenticate(RoutingContext ctx, String what) {
    var nodeId = ctx.request().getHeader(CrossgateHeaders.NODE_ID);
    var presented = bearer(ctx);
    var remote = ctx.request().remoteAddress();
    if (nodeId == null || presented == null) {
      return refusal(
          ctx,
          "send the node id as '"
              + CrossgateHeaders.NODE_ID
              + "' and the node's credential as "
              + "'Authorization: Bearer <credential>'; a node without a credential enrols first (POST "
              + ENROL_PATH
              + " with the cluster token)");
    }
    if (!NodeCredential.validNodeId(nodeId)) { // checked before anything logs the header
      return refusal(ctx, "the node credential is not valid for this node id");
    }
    if (isClusterToken(presented)) {
      LOG.warn(
          "{} refused node={} reason=\"cluster token instead of a node credential\" remote={}",
          what,
          nodeId,
          remote);
      return refusal(
          ctx,
          "the cluster token only enrols nodes (POST "
              + ENROL_PATH
              + "); connect with the node's credential");
    }
    var presentedHash = Secrets.sha256Hex(presented);
    return vertx
        .executeBlocking(() -> nodes.credentialHash(nodeId), false)
        .compose(
            stored -> {
              if (stored.isEmpty()
                  || !MessageDigest.isEqual(
                      stored.get().getBytes(StandardCharsets.US_ASCII),
                      presentedHash.getBytes(StandardCharsets.US_ASCII))) {
                LOG.warn(
                    "{} refused node={} reason=\"{}\" remote={}",
                    what,
                    nodeId,
                    stored.isEmpty() ? "not enrolled" : "wrong credential",
                    remote);
                return refusal(ctx, "the node credential is not valid for node " + nodeId);
              }
              return Future.succeededFuture(presentedHash);
            });
  }

  private static <T> Future<T> refusal(RoutingContext ctx, String detail) {
    ctx.response().putHeader("www-authenticate", "Bearer realm=\"crossgate-cluster\"");
    return Future.failedFuture(new ProblemException(Problem.unauthorized(detail)));
  }

  private static String bearer(RoutingContext ctx) {
    var header = ctx.request().getHeader("authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() < 8) {
      return null;
    }
    return header.substring(7).trim();
  }

  private boolean isClusterToken(String presented) {
    if (options.clusterToken() == null || presented == null) {
      return false;
    }
    return MessageDigest.isEqual(
        presented.getBytes(StandardCharsets.UTF_8),
        options.clusterToken().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Retires {@code nodeId}: its credential and entry are deleted (so it may enrol afresh) and its
   * stream, when this instance holds it, is closed now; an instance elsewhere closes it on its next
   * check, within a second. Completes with false when there was no such node.
   */
  public Future<Boolean> retire(String nodeId, String actor) {
    return vertx
        .executeBlocking(() -> nodes.retire(nodeId), false)
        .map(
            found -> {
              var session = sessions.get(nodeId);
              if (session != null) {
                session.retired();
              }
              if (found) {
                LOG.info(
                    "node retired node={} actor={} streamClosedHere={}",
                    nodeId,
                    actor,
                    session != null);
              }
              return found;
            });
  }

  private void advanced(GatewayConfig config) {
    sessions.values().forEach(NodeSession::configAdvanced);
  }

  /**
   * Once a second: closes streams whose node fell silent ({@link NodeSession#checkSilence()}) or
   * was retired or enrolled afresh (through any instance), and acts on resyncs operators asked for
   * through another instance.
   */
  private void checkSessions() {
    if (sessions.isEmpty()) {
      return;
    }
    sessions.values().forEach(NodeSession::checkSilence);
    vertx
        .executeBlocking(() -> new StoredNodes(nodes.all(), nodes.credentialHashes()), false)
        .onSuccess(
            stored -> {
              sessions.forEach(
                  (id, session) -> {
                    if (!session.credentialHash().equals(stored.credentialHashes().get(id))) {
                      LOG.info("closing the stream of a retired node node={}", id);
                      session.retired();
                    }
                  });
              stored.all().stream()
                  .filter(n -> n.resyncRequested() && sessions.containsKey(n.nodeId()))
                  .forEach(
                      n -> {
                        sessions.get(n.nodeId()).resync("operator asked for a resync");
                        vertx.executeBlocking(() -> nodes.requestResync(n.nodeId(), false), false);
                      });
            });
  }

  private record StoredNodes(List<NodeRecord> all, Map<String, String> credentialHashes) {}

  /** Whether {@code nodeId}'s stream is open on this instance. */
  public boolean connectedHere(String nodeId) {
    return sessions.containsKey(nodeId);
  }

  /** How many nodes' streams are open on this instance. */
  public int connectedCount() {
    return sessions.size();
  }

  /** Resyncs {@code nodeId} now when its stream is here; true when it was. */
  public boolean resyncLocal(String nodeId) {
    var session = sessions.get(nodeId);
    if (session == null) {
      return false;
    }
    session.resync("operator asked for a resync");
    return true;
  }

  /**
   * What {@code /metrics} exports per node this instance has had a stream from since it started
   * (the database's node list is the Admin API's; a scrape reads no database).
   *
   * @param connected whether the node's stream is open on this instance
   * @param appliedRevision the revision the node last said it applied
   * @param lag revisions the node is behind this instance's configuration
   * @param nacks revisions the node refused (NACKed) since this instance started
   */
  public record NodeFigure(
      String nodeId, boolean connected, long appliedRevision, long lag, long nacks) {}

  /** The figures of every node seen here, for a scrape; any thread. */
  public List<NodeFigure> nodeFigures() {
    long latest = follower.get().revision();
    return figures.entrySet().stream()
        .map(
            e -> {
              var f = e.getValue();
              long applied = f.applied;
              return new NodeFigure(
                  e.getKey(),
                  sessions.containsKey(e.getKey()),
                  applied,
                  Math.max(0, latest - Math.max(0, applied)),
                  f.nacks.get());
            })
        .toList();
  }

  NodeFigures figures(String nodeId) {
    return figures.computeIfAbsent(nodeId, k -> new NodeFigures());
  }

  /** A node's running figures, written by its session's event loop and read by scrapes. */
  static final class NodeFigures {
    private volatile long applied = -1;
    private final java.util.concurrent.atomic.AtomicLong nacks =
        new java.util.concurrent.atomic.AtomicLong();

    void applied(long revision) {
      applied = revision;
    }

    void nacked() {
      nacks.incrementAndGet();
    }
  }

  void register(String nodeId, NodeSession session) {
    var previous = sessions.put(nodeId, session);
    if (previous != null && previous != session) {
      previous.replaced();
    }
  }

  void unregister(String nodeId, NodeSession session) {
    sessions.remove(nodeId, session);
  }

  Vertx vertx() {
    return vertx;
  }

  ConfigFollower follower() {
    return follower;
  }

  ChangeLog changeLog() {
    return changeLog;
  }

  NodeRepository nodes() {
    return nodes;
  }

  ClusterOptions options() {
    return options;
  }

  Backoff resendBackoff() {
    return resendBackoff;
  }

  String instanceId() {
    return instanceId;
  }

  /** Where heartbeats' traffic goes: the console's traffic view, in memory. */
  TrafficSampler traffic() {
    return traffic;
  }

  public void close() {
    vertx.cancelTimer(checkTimer);
    vertx.cancelTimer(pruneTimer);
    sessions.values().forEach(NodeSession::controlPlaneStopping);
  }
}
