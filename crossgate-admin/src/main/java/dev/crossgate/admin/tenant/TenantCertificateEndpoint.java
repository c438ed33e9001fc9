package dev.crossgate.admin.tenant;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.tenant.TenantCertificateRepository;
import dev.crossgate.store.tenant.TenantRepository;
import io.vertx.ext.web.Router;
import java.util.Map;

/**
 * {@code /admin/tenants/{id}/certificates}: the client certificates (by subject or SPKI SHA-256)
 * whose holders act as the tenant on the traffic port, as an API key's do. Operators only ({@link
 * AdminAuth}).
 */
public final class TenantCertificateEndpoint implements AdminEndpoint {
  private final TenantRepository tenants;
  private final TenantCertificateRepository certificates;

  public TenantCertificateEndpoint(
      TenantRepository tenants, TenantCertificateRepository certificates) {
    this.tenants = tenants;
    this.certificates = certificates;
  }

  /** The body of {@code POST /admin/tenants/{id}/certificates}. */
  public record CertificateRequest(String kind, String value) {}

  @Override
  public void mount(Router router) {
    router
        .post("/admin/tenants/:id/certificates")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              var request = Replies.body(ctx, CertificateRequest.class);
              var actor = AdminAuth.actor(ctx);
              Replies.offload(
                      ctx, () -> certificates.register(id, request.kind(), request.value(), actor))
                  .onSuccess(
                      c -> {
                        ctx.response()
                            .putHeader(
                                "location", "/admin/tenants/" + id + "/certificates/" + c.id());
                        Replies.json(ctx, 201, c);
                      })
                  .onFailure(ctx::fail);
            });
    router
        .get("/admin/tenants/:id/certificates")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              Replies.blocking(
                  ctx,
                  200,
                  () -> {
                    if (tenants.get(id).isEmpty()) {
                      throw new ProblemException(Problem.notFound("no tenant with id " + id));
                    }
                    return Map.of("items", certificates.of(id));
                  });
            });
    router
        .delete("/admin/tenants/:id/certificates/:certificateId")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              var certificateId = ctx.pathParam("certificateId");
              var actor = AdminAuth.actor(ctx);
              Replies.blocking(
                  ctx,
                  204,
                  () -> {
                    certificates.remove(id, certificateId, actor);
                    return null;
                  });
            });
  }
}
