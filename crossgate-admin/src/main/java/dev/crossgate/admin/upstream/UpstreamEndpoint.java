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
import dev.crossgate.upstream.UpstreamSpec;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code /admin/upstreams}: upstream pools, CRUD with ETag / If-Match optimistic concurrency as
 * routes have. A pool's health is each node's own view, not in the database: {@code
 * /admin/upstreams/{id}/health} answers it here for the node in this JVM (standalone); cluster
 * nodes answer it on their admin port.
 */
public final class UpstreamEndpoint implements AdminEndpoint {
  private final UpstreamRepository upstreams;
  private final Function<String, Optional<?>> health;

  /**
   * @param health the view of the gateway node in this JVM (standalone), empty elsewhere
   */
  public UpstreamEndpoint(UpstreamRepository upstreams, Function<String, Optional<?>> health) {
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
    Replies.offload(ctx, () -> upstreams.get(id))
        .onSuccess(
            found -> {
              if (found.isEmpty()) {
                ctx.fail(new ProblemException(Problem.notFound("no upstream with id " + id)));
                return;
              }
              var view = health.apply(id);
              if (view.isEmpty()) {
                ctx.fail(
                    new ProblemException(
                        Problem.notFound(
                            "health is each node's own view: ask a node's admin port for"
                                + " /admin/upstreams/"
                                + id
                                + "/health")));
              } else {
                Replies.json(ctx, 200, view.get());
              }
            })
        .onFailure(ctx::fail);
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
