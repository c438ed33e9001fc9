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
import java.util.Map;

/**
 * {@code /admin/tenants/{t}/extensions}: the extension registry (DESIGN.md "Extensions"). Callable
 * with an admin token, or with one of the tenant's own API keys — that is the tenant's sync of
 * the extensions it deploys. A key of another tenant is refused with 403.
 */
public final class ExtensionEndpoint implements AdminEndpoint {
  private final ExtensionRepository extensions;
  private final ArtifactVerifier artifacts;

  public ExtensionEndpoint(ExtensionRepository extensions, ArtifactVerifier artifacts) {
    this.extensions = extensions;
    this.artifacts = artifacts;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/tenants/:tenant/extensions").handler(ctx -> {
      var tenant = ownTenant(ctx);
      Replies.blocking(ctx, 200, () -> Map.of("items", extensions.ofTenant(tenant)));
    });
    router.get("/admin/tenants/:tenant/extensions/:id").handler(ctx -> {
      var tenant = ownTenant(ctx);
      var id = ctx.pathParam("id");
      Replies.blocking(ctx, 200, () -> extensions.get(tenant, id).orElseThrow(() -> new ProblemException(
          Problem.notFound("tenant " + tenant + " has no extension " + id))));
    });
    router.put("/admin/tenants/:tenant/extensions/:id").handler(ctx -> {
      var tenant = ownTenant(ctx);
      var spec = Replies.body(ctx, ExtensionSpec.class);
      var actor = AdminAuth.principal(ctx).name();
      Replies.blocking(ctx, 200, () -> extensions.put(tenant, ctx.pathParam("id"), spec, actor, artifacts::verify));
    });
    router.delete("/admin/tenants/:tenant/extensions/:id").handler(ctx -> {
      var tenant = ownTenant(ctx);
      var actor = AdminAuth.principal(ctx).name();
      Replies.offload(ctx, () -> {
        extensions.delete(tenant, ctx.pathParam("id"), actor);
        return true;
      }).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    });
  }

  /** The tenant addressed, after checking that a tenant key only reaches its own tenant. */
  private static String ownTenant(RoutingContext ctx) {
    var tenant = ctx.pathParam("tenant");
    var key = AdminAuth.tenantKey(ctx);
    if (key != null && !key.tenantId().equals(tenant)) {
      throw new ProblemException(Problem.forbidden(
          "an API key of tenant " + key.tenantId() + " may only manage that tenant's extensions"));
    }
    return tenant;
  }
}
