package dev.crossgate.admin.upstream;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.ETags;
import dev.crossgate.admin.http.EntityReplies;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.store.upstream.UpstreamRepository;
import dev.crossgate.upstream.Upstream;
import dev.crossgate.upstream.UpstreamSpec;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * {@code /admin/upstreams}: upstream pools, CRUD with ETag / If-Match optimistic concurrency as
 * routes have. The pools' health is per node and served by the nodes (and by a standalone node's
 * Admin API), not from the database.
 */
public final class UpstreamEndpoint implements AdminEndpoint {
  private final UpstreamRepository upstreams;

  public UpstreamEndpoint(UpstreamRepository upstreams) {
    this.upstreams = upstreams;
  }

  @Override
  public void mount(Router router) {
    router.post("/admin/upstreams").handler(this::create);
    router.get("/admin/upstreams").handler(this::list);
    router.get("/admin/upstreams/:id").handler(this::get);
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
