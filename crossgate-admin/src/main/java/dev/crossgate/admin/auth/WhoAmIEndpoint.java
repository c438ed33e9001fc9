package dev.crossgate.admin.auth;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import io.vertx.ext.web.Router;
import java.util.Map;

/**
 * {@code GET /admin/whoami}: the name and role of the presented token, so that a client (the web
 * console) can check a token at sign-in and show viewers read-only pages without trying a write.
 */
public final class WhoAmIEndpoint implements AdminEndpoint {
  @Override
  public void mount(Router router) {
    router
        .get("/admin/whoami")
        .handler(
            ctx -> {
              var principal = AdminAuth.principal(ctx);
              Replies.json(
                  ctx, 200, Map.of("name", principal.name(), "role", principal.role().name()));
            });
  }
}
