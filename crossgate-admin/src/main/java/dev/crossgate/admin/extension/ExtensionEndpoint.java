package dev.crossgate.admin.extension;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.extension.ExtensionSpec;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.extension.ExtensionRepository;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code /admin/tenants/{t}/extensions}: the extension registry (DESIGN.md "Extensions"). Callable
 * with an admin token, or with one of the tenant's own API keys — that is the tenant's sync of the
 * extensions it deploys. A key of another tenant is refused with 403.
 */
public final class ExtensionEndpoint implements AdminEndpoint {
  private final ExtensionRepository extensions;
  private final ArtifactVerifier artifacts;
  private final Function<String, Boolean> circuitOpen;

  /**
   * @param circuitOpen whether the tenant's extension calls are circuit-broken on the node this
   *     control plane runs beside, or null when it cannot know (cluster nodes report it in metrics)
   */
  public ExtensionEndpoint(
      ExtensionRepository extensions,
      ArtifactVerifier artifacts,
      Function<String, Boolean> circuitOpen) {
    this.extensions = extensions;
    this.artifacts = artifacts;
    this.circuitOpen = circuitOpen;
  }

  @Override
  public void mount(Router router) {
    router
        .get("/admin/tenants/:tenant/extensions")
        .handler(
            ctx -> {
              var tenant = ownTenant(ctx);
              var open = circuitOpen.apply(tenant);
              Replies.blocking(
                  ctx,
                  200,
                  () -> {
                    var body = new LinkedHashMap<String, Object>();
                    body.put("items", extensions.ofTenant(tenant));
                    if (open != null) {
                      body.put("circuit", Map.of("open", open));
                    }
                    return body;
                  });
            });
    router
        .get("/admin/tenants/:tenant/extensions/:id")
        .handler(
            ctx -> {
              var tenant = ownTenant(ctx);
              var id = ctx.pathParam("id");
              Replies.blocking(
                  ctx,
                  200,
                  () ->
                      extensions
                          .get(tenant, id)
                          .orElseThrow(
                              () ->
                                  new ProblemException(
                                      Problem.notFound(
                                          "tenant " + tenant + " has no extension " + id))));
            });
    router
        .put("/admin/tenants/:tenant/extensions/:id")
        .handler(
            ctx -> {
              var tenant = ownTenant(ctx);
              var spec = Replies.body(ctx, ExtensionSpec.class);
              var actor = AdminAuth.actor(ctx);
              Replies.blocking(
                  ctx,
                  200,
                  () ->
                      extensions.put(tenant, ctx.pathParam("id"), spec, actor, artifacts::verify));
            });
    router
        .delete("/admin/tenants/:tenant/extensions/:id")
        .handler(
            ctx -> {
              var tenant = ownTenant(ctx);
              var actor = AdminAuth.actor(ctx);
              Replies.offload(
                      ctx,
                      () -> {
                        extensions.delete(tenant, ctx.pathParam("id"), actor);
                        return true;
                      })
                  .onSuccess(v -> ctx.response().setStatusCode(204).end())
                  .onFailure(ctx::fail);
            });
  }

  /** The tenant addressed, after checking that a tenant key only reaches its own tenant. */
  static String ownTenant(RoutingContext ctx) {
    var tenant = ctx.pathParam("tenant");
    var caller = AdminAuth.tenantCaller(ctx);
    if (caller != null && !caller.tenantId().equals(tenant)) {
      // AdminAuth refuses this already; checked again where the tenant is used
      throw new ProblemException(
          Problem.forbidden(
              "an API key of tenant "
                  + caller.tenantId()
                  + " may only manage that tenant's extensions"));
    }
    return tenant;
  }
}
