package dev.crossgate.admin.cluster;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemResponses;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.cluster.NodeRepository;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's end of the cluster stream: accepts node connections on
 * {@code /cluster/stream} (WebSocket, {@code Authorization: Bearer <cluster token>}), keeps one
 * {@link NodeSession} per connected node, and tells every session when the configuration moved.
 * Any control-plane instance can serve any node: node state lives in the database.
 */
public final class ClusterHub implements AdminEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterHub.class);

  private final Vertx vertx;
  private final ConfigFollower follower;
  private final ChangeLog changeLog;
  private final NodeRepository nodes;
  private final ClusterOptions options;
  private final String instanceId;
  private final Map<String, NodeSession> sessions = new ConcurrentHashMap<>();
  private final long resyncTimer;
  private final long pruneTimer;

  public ClusterHub(Vertx vertx, ConfigFollower follower, ChangeLog changeLog, NodeRepository nodes,
      ClusterOptions options, String instanceId) {
    this.vertx = vertx;
    this.follower = follower;
    this.changeLog = changeLog;
    this.nodes = nodes;
    this.options = options;
    this.instanceId = instanceId;
    follower.onAdvance(this::advanced);
    this.resyncTimer = vertx.setPeriodic(1000, id -> checkResyncRequests());
    this.pruneTimer = vertx.setPeriodic(60_000, id -> vertx.executeBlocking(
        () -> changeLog.prune(options.retainedRevisions()), false));
  }

  @Override
  public void mount(Router router) {
    router.get("/cluster/stream").handler(this::accept);
  }

  private void accept(RoutingContext ctx) {
    if (!authorized(ctx.request().getHeader("authorization"))) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"crossgate-cluster\"");
      ProblemResponses.send(ctx.response(), Problem.unauthorized(options.clusterToken() == null
          ? "this control plane has no cluster token configured (--cluster-token): nodes cannot join"
          : "send the cluster token as 'Authorization: Bearer <token>'"));
      return;
    }
    ctx.request().toWebSocket().onSuccess(ws -> {
      var session = new NodeSession(this, ws);
      ws.closeHandler(v -> session.closed());
    }).onFailure(e -> LOG.warn("cluster stream upgrade failed error=\"{}\"", e.getMessage()));
  }

  private boolean authorized(String header) {
    if (options.clusterToken() == null || header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
        options.clusterToken().getBytes(StandardCharsets.UTF_8));
  }

  private void advanced(GatewayConfig config) {
    sessions.values().forEach(NodeSession::configAdvanced);
  }

  private void checkResyncRequests() {
    if (sessions.isEmpty()) {
      return;
    }
    vertx.executeBlocking(nodes::all, false).onSuccess(all -> all.stream()
        .filter(n -> n.resyncRequested() && sessions.containsKey(n.nodeId()))
        .forEach(n -> {
          sessions.get(n.nodeId()).resync("operator asked for a resync");
          vertx.executeBlocking(() -> nodes.requestResync(n.nodeId(), false), false);
        }));
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

  String instanceId() {
    return instanceId;
  }

  public void close() {
    vertx.cancelTimer(resyncTimer);
    vertx.cancelTimer(pruneTimer);
    sessions.values().forEach(NodeSession::replaced);
  }
}
