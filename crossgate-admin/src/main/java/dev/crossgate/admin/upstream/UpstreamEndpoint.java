package dev.crossgate.admin.upstream;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.ETags;
import dev.crossgate.admin.http.EntityReplies;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.upstream.UpstreamRepository;
import dev.crossgate.upstream.Upstream;
import dev.crossgate.upstream.UpstreamHealth;
import dev.crossgate.upstream.UpstreamSpec;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code /admin/upstreams}: upstream pools, CRUD with ETag / If-Match optimistic concurrency as
 * routes have. A pool's health is each node's own view: {@code /admin/upstreams/{id}/health} lists
 * the view of the node in this JVM (standalone) and what every cluster node reported on its last
 * heartbeat; a node's admin port answers its own view as of now.
 */
public final class UpstreamEndpoint implements AdminEndpoint {
  private final UpstreamRepository upstreams;
  private final Function<String, List<UpstreamHealth.NodeView>> health;

  /**
   * @param health every node's view of an upstream; called on a worker thread
   */
  public UpstreamEndpoint(
      UpstreamRepository upstreams, Function<String, List<UpstreamHealth.NodeView>> health) {
    this.upstreams = upstreams;
    this.health = health;
  }

  @Override
  public void mount(Router router) {
    router.post("/admin/upstreams").handler(this::create);
    router.get("/admin/upstreams").handler(this::list);
    router.get("/admin/upstreams/:id").handler(this::get);
    router.get("/admin/upstreams/:id/health").handler(this::health);
    router.put("/admin/upstreams/:id").handler(this::replace);
    router.patch("/admin/upstreams/:id").handler(this::patch);
    router.delete("/admin/upstreams/:id").handler(this::delete);
  }

  private void create(RoutingContext ctx) {
    var spec = Replies.body(ctx, UpstreamSpec.class);
    var actor = AdminAuth.actor(ctx);
    Replies.offload(ctx, () -> upstreams.create(spec, actor))
        .onSuccess(
            upstream -> {
              ctx.response().putHeader("location", "/admin/upstreams/" + upstream.id());
              EntityReplies.reply(ctx, 201, upstream, Upstream::revision);
            })
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    Replies.blocking(ctx, 200, () -> Map.of("items", upstreams.all()));
  }

  private void get(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    EntityReplies.read(
        ctx, () -> upstreams.get(id), Upstream::revision, "no upstream with id " + id);
  }

  private void health(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    Replies.blocking(
        ctx,
        200,
        () -> {
          if (upstreams.get(id).isEmpty()) {
            throw new ProblemException(Problem.notFound("no upstream with id " + id));
          }
          return new UpstreamHealth(id, health.apply(id));
        });
  }

  private void replace(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var spec = Replies.body(ctx, UpstreamSpec.class);
    var ifMatch = ETags.ifMatch(ctx);
    var actor = AdminAuth.actor(ctx);
    EntityReplies.write(
        ctx, 200, () -> upstreams.replace(id, spec, actor, ifMatch), Upstream::revision);
  }

  private void patch(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var patch = EntityReplies.mergePatch(ctx);
    var ifMatch = ETags.ifMatch(ctx);
    var actor = AdminAuth.actor(ctx);
    EntityReplies.write(
        ctx, 200, () -> upstreams.patch(id, patch, actor, ifMatch), Upstream::revision);
  }

  private void delete(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var ifMatch = ETags.ifMatch(ctx);
    var actor = AdminAuth.actor(ctx);
    Replies.blocking(
        ctx,
        204,
        () -> {
          upstreams.delete(id, actor, ifMatch);
          return null;
        });
  }
}
