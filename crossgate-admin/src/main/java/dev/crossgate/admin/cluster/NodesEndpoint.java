package dev.crossgate.admin.cluster;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.config.ConfigHash;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.cluster.NodeRecord;
import dev.crossgate.store.cluster.NodeRepository;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /admin/nodes}: every gateway node with its applied revision, hash, the hash it should
 * have at that revision, lag, state, the resources it rejects, last ACK/NACK and error; {@code GET
 * /admin/nodes/{id}/history}: its node-sync log; {@code POST /admin/nodes/{id}/resync}: send it a
 * full snapshot; {@code DELETE /admin/nodes/{id}}: remove a node that is gone (credential and entry
 * deleted, no longer listed, its id free to enrol again), refused with 409 while it is connected
 * unless {@code ?force=true} (which also closes its stream: a compromised node is cut off).
 *
 * <p>A node's {@code state}: {@code in-sync} (the current revision, the expected hash, serving all
 * of it), {@code applied-with-rejections} (the same, but it does not serve the resources in {@code
 * rejected}, which its policy refuses; it keeps applying later revisions), {@code behind} (an older
 * revision or another hash: it is being sent what it lacks) or {@code refused} (it could not apply
 * the revision it was sent at all, see {@code lastError}; parked until a newer revision or a
 * resync).
 */
public final class NodesEndpoint implements AdminEndpoint {
  private final NodeRepository nodes;
  private final ConfigFollower follower;
  private final ClusterHub hub;

  public NodesEndpoint(NodeRepository nodes, ConfigFollower follower, ClusterHub hub) {
    this.nodes = nodes;
    this.follower = follower;
    this.hub = hub;
  }

  /** One node as the Admin API shows it. */
  public record NodeView(
      String nodeId,
      long appliedRevision,
      String configHash,
      String expectedHash,
      boolean inSync,
      String state,
      List<ClusterMessage.Rejection> rejected,
      long lag,
      boolean connected,
      Instant lastSeen,
      String lastResult,
      Long lastRevision,
      String lastError,
      String adminInstance,
      String version) {}

  static final String IN_SYNC = "in-sync";

  /** See the class comment. */
  private static String state(NodeRecord n, GatewayConfig config) {
    if (n.appliedRevision() != config.revision() || !config.hashHex().equals(n.configHash())) {
      return "NACK".equals(n.lastResult()) ? "refused" : "behind";
    }
    return n.rejected().isEmpty() ? IN_SYNC : "applied-with-rejections";
  }

  @Override
  public void mount(Router router) {
    router
        .get("/admin/nodes")
        .handler(
            ctx ->
                Replies.blocking(
                    ctx,
                    200,
                    () -> {
                      var config = follower.get();
                      var views =
                          nodes.all().stream()
                              .map(
                                  n -> {
                                    var expectedHash = follower.hashAt(n.appliedRevision());
                                    var expected =
                                        expectedHash == null ? null : ConfigHash.hex(expectedHash);
                                    var state = state(n, config);
                                    return new NodeView(
                                        n.nodeId(),
                                        n.appliedRevision(),
                                        n.configHash(),
                                        expected,
                                        state.equals(IN_SYNC),
                                        state,
                                        n.rejected(),
                                        Math.max(0, config.revision() - n.appliedRevision()),
                                        n.connected(),
                                        n.lastSeen(),
                                        n.lastResult(),
                                        n.lastRevision(),
                                        n.lastError(),
                                        n.adminInstance(),
                                        n.version());
                                  })
                              .toList();
                      return Map.of(
                          "revision", config.revision(), "hash", config.hashHex(), "nodes", views);
                    }));
    router
        .get("/admin/nodes/:id/history")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              int limit = Replies.intParam(ctx, "limit", 50, 1, 1000);
              Replies.blocking(
                  ctx, 200, () -> Map.of("nodeId", id, "items", nodes.history(id, limit)));
            });
    router
        .post("/admin/nodes/:id/resync")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              Replies.blocking(
                  ctx,
                  202,
                  () -> {
                    if (!nodes.requestResync(id, !hub.resyncLocal(id))) {
                      throw new ProblemException(Problem.notFound("no node with id " + id));
                    }
                    return Map.of("nodeId", id, "status", "resync requested");
                  });
            });
    router
        .delete("/admin/nodes/:id")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              var force = ctx.request().getParam("force");
              if (force != null && !force.equals("true") && !force.equals("false")) {
                throw new ProblemException(
                    Problem.validation(List.of(new FieldError("force", "true or false"))));
              }
              Replies.offload(
                      ctx,
                      () ->
                          hub.connectedHere(id)
                              || nodes.all().stream()
                                  .anyMatch(n -> n.nodeId().equals(id) && n.connected()))
                  .compose(
                      connected -> {
                        if (connected && !"true".equals(force)) {
                          return Future.failedFuture(
                              new ProblemException(
                                  Problem.conflict(
                                      "node "
                                          + id
                                          + " is connected: stop it first and remove it once it is shown disconnected, "
                                          + "or retire it now with ?force=true (its credential is deleted and its stream closed)")));
                        }
                        return hub.retire(id, AdminAuth.actor(ctx));
                      })
                  .onSuccess(
                      found -> {
                        if (found) {
                          Replies.json(ctx, 204, null);
                        } else {
                          ctx.fail(new ProblemException(Problem.notFound("no node with id " + id)));
                        }
                      })
                  .onFailure(ctx::fail);
            });
  }
}
