package dev.crossgate.admin.tenant;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.tenant.TenantRepository;
import dev.crossgate.tenant.TenantSpec;
import io.vertx.ext.web.Router;
import java.util.Map;

/** {@code /admin/tenants} and their API keys (a key's plaintext is in the 201 response only). */
public final class TenantEndpoint implements AdminEndpoint {
  private final TenantRepository tenants;

  public TenantEndpoint(TenantRepository tenants) {
    this.tenants = tenants;
  }

  /** The body of {@code POST /admin/tenants/{id}/keys}. */
  public record KeyRequest(String participant) {}

  @Override
  public void mount(Router router) {
    router
        .post("/admin/tenants")
        .handler(
            ctx -> {
              var spec = Replies.body(ctx, TenantSpec.class);
              var actor = AdminAuth.actor(ctx);
              Replies.offload(ctx, () -> tenants.create(spec, actor))
                  .onSuccess(
                      t -> {
                        ctx.response().putHeader("location", "/admin/tenants/" + t.id());
                        Replies.json(ctx, 201, t);
                      })
                  .onFailure(ctx::fail);
            });
    router
        .get("/admin/tenants")
        .handler(ctx -> Replies.blocking(ctx, 200, () -> Map.of("items", tenants.all())));
    router
        .get("/admin/tenants/:id")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              Replies.blocking(
                  ctx,
                  200,
                  () ->
                      tenants
                          .get(id)
                          .orElseThrow(
                              () ->
                                  new ProblemException(
                                      Problem.notFound("no tenant with id " + id))));
            });
    router
        .put("/admin/tenants/:id")
        .handler(
            ctx -> {
              var spec = Replies.body(ctx, TenantSpec.class);
              var id = ctx.pathParam("id");
              var actor = AdminAuth.actor(ctx);
              Replies.blocking(ctx, 200, () -> tenants.update(id, spec, actor));
            });
    router
        .post("/admin/tenants/:id/keys")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              var request =
                  ctx.body().length() == 0
                      ? new KeyRequest(null)
                      : Replies.body(ctx, KeyRequest.class);
              var actor = AdminAuth.actor(ctx);
              Replies.blocking(
                  ctx,
                  201,
                  () -> {
                    var issued = tenants.issueKey(id, request.participant(), actor);
                    var key = issued.apiKey();
                    return new IssuedKeyView(
                        key.id(),
                        key.tenantId(),
                        key.participant(),
                        key.prefix(),
                        issued.key(),
                        "shown once: store it now, only its hash is kept");
                  });
            });
    router
        .delete("/admin/tenants/:id/keys/:keyId")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              var keyId = ctx.pathParam("keyId");
              var actor = AdminAuth.actor(ctx);
              Replies.blocking(
                  ctx,
                  204,
                  () -> {
                    tenants.revokeKey(id, keyId, actor);
                    return null;
                  });
            });
    router
        .get("/admin/tenants/:id/keys")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              Replies.blocking(
                  ctx,
                  200,
                  () ->
                      Map.of(
                          "items",
                          requireTenant(id).stream()
                              .map(
                                  k ->
                                      new KeyView(
                                          k.id(),
                                          k.tenantId(),
                                          k.participant(),
                                          k.prefix(),
                                          k.createdAt().toString()))
                              .toList()));
            });
  }

  /** The tenant's keys, or a 404 problem when there is no such tenant. Worker thread. */
  private java.util.List<dev.crossgate.tenant.ApiKey> requireTenant(String id) {
    if (tenants.get(id).isEmpty()) {
      throw new ProblemException(Problem.notFound("no tenant with id " + id));
    }
    return tenants.keys(id);
  }

  record IssuedKeyView(
      String id, String tenant, String participant, String prefix, String key, String note) {}

  record KeyView(String id, String tenant, String participant, String prefix, String createdAt) {}
}
