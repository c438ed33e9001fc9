package dev.crossgate.admin.tenant;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.EntityReplies;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.tenant.TenantRepository;
import dev.crossgate.store.tenant.TokenIssuerRepository;
import dev.crossgate.tenant.TokenIssuer;
import dev.crossgate.tenant.TokenIssuerSpec;
import dev.crossgate.tenant.TokenIssuerValidator;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * {@code /admin/tenants/{id}/issuers[/{name}]}: the token issuers whose JWTs make callers of the
 * tenant on the traffic port. Operators, and the tenant's own API key ({@link AdminAuth}).
 */
public final class TokenIssuerEndpoint implements AdminEndpoint {
  private final TenantRepository tenants;
  private final TokenIssuerRepository issuers;

  public TokenIssuerEndpoint(TenantRepository tenants, TokenIssuerRepository issuers) {
    this.tenants = tenants;
    this.issuers = issuers;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/tenants/:id/issuers").handler(this::list);
    router.get("/admin/tenants/:id/issuers/:name").handler(this::get);
    router.put("/admin/tenants/:id/issuers/:name").handler(this::put);
    router.delete("/admin/tenants/:id/issuers/:name").handler(this::delete);
  }

  private void list(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    Replies.blocking(
        ctx,
        200,
        () -> {
          if (tenants.get(id).isEmpty()) {
            throw new ProblemException(Problem.notFound("no tenant with id " + id));
          }
          return Map.of("items", issuers.of(id));
        });
  }

  private void get(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var name = ctx.pathParam("name");
    EntityReplies.read(
        ctx,
        () -> issuers.get(id, name),
        TokenIssuer::revision,
        "tenant " + id + " has no issuer " + name);
  }

  private void put(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var name = ctx.pathParam("name");
    var spec = Replies.body(ctx, TokenIssuerSpec.class, TokenIssuerValidator::check);
    var actor = AdminAuth.actor(ctx);
    Replies.offload(ctx, () -> issuers.put(id, name, spec, actor))
        .onSuccess(
            written -> {
              if (written.created()) {
                ctx.response().putHeader("location", "/admin/tenants/" + id + "/issuers/" + name);
              }
              EntityReplies.reply(
                  ctx, written.created() ? 201 : 200, written.issuer(), TokenIssuer::revision);
            })
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var name = ctx.pathParam("name");
    var actor = AdminAuth.actor(ctx);
    Replies.blocking(
        ctx,
        204,
        () -> {
          issuers.delete(id, name, actor);
          return null;
        });
  }
}
