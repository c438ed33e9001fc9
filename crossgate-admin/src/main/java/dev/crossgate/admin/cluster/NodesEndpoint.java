package dev.crossgate.admin.cluster;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.config.ConfigHash;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.cluster.NodeRepository;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.Map;

/**
 * {@code GET /admin/nodes}: every gateway node with its applied revision, hash, the hash it should
 * have at that revision, lag, last ACK/NACK and error; {@code GET /admin/nodes/{id}/history}: its
 * node-sync log; {@code POST /admin/nodes/{id}/resync}: send it a full snapshot; {@code DELETE
 * /admin/nodes/{id}}: retire it (credential deleted, stream closed, no longer listed, its id free
 * to enrol again).
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
      long lag,
      boolean connected,
      Instant lastSeen,
      String lastResult,
      Long lastRevision,
      String lastError,
      String adminInstance,
      String version) {}

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
                                    return new NodeView(
                                        n.nodeId(),
                                        n.appliedRevision(),
                                        n.configHash(),
                                        expected,
                                        n.appliedRevision() == config.revision()
                                            && config.hashHex().equals(n.configHash()),
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
              hub.retire(id, AdminAuth.actor(ctx))
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
