package dev.crossgate.admin.filter;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.filter.FilterSpec;
import dev.crossgate.filter.FilterValidator;
import dev.crossgate.store.filter.FilterRepository;
import io.vertx.ext.web.Router;
import java.util.Map;

/** {@code /admin/filters}: the filter table, listed in evaluation order. */
public final class FilterEndpoint implements AdminEndpoint {
  private final FilterRepository filters;

  public FilterEndpoint(FilterRepository filters) {
    this.filters = filters;
  }

  @Override
  public void mount(Router router) {
    router
        .post("/admin/filters")
        .handler(
            ctx -> {
              var spec = Replies.body(ctx, FilterSpec.class, FilterValidator::check);
              var actor = AdminAuth.actor(ctx);
              Replies.offload(ctx, () -> filters.create(spec, actor))
                  .onSuccess(
                      rule -> {
                        ctx.response().putHeader("location", "/admin/filters/" + rule.id());
                        Replies.json(ctx, 201, rule);
                      })
                  .onFailure(ctx::fail);
            });
    router
        .get("/admin/filters")
        .handler(ctx -> Replies.blocking(ctx, 200, () -> Map.of("items", filters.all())));
    router
        .delete("/admin/filters/:id")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              var actor = AdminAuth.actor(ctx);
              Replies.blocking(
                  ctx,
                  204,
                  () -> {
                    filters.delete(id, actor);
                    return null;
                  });
            });
  }
}
