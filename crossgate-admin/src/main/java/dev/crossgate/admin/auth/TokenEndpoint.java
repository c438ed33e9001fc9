package dev.crossgate.admin.auth;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.token.AdminToken;
import dev.crossgate.store.token.TokenRepository;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/tokens}: admin and viewer credentials; a token's plaintext is in the 201 response
 * only.
 */
public final class TokenEndpoint implements AdminEndpoint {
  private final TokenRepository tokens;
  private final AdminAuth auth;

  public TokenEndpoint(TokenRepository tokens, AdminAuth auth) {
    this.tokens = tokens;
    this.auth = auth;
  }

  /** The body of {@code POST /admin/tokens}. */
  public record TokenRequest(String name, String role) {}

  @Override
  public void mount(Router router) {
    router
        .post("/admin/tokens")
        .handler(
            ctx -> {
              var request = Replies.body(ctx, TokenRequest.class);
              var role = parseRole(request.role());
              var actor = AdminAuth.actor(ctx);
              Replies.blocking(
                  ctx,
                  201,
                  () -> {
                    var issued = tokens.create(request.name(), role, actor);
                    return Map.of(
                        "id",
                        issued.stored().id(),
                        "name",
                        issued.stored().name(),
                        "role",
                        role,
                        "token",
                        issued.token(),
                        "note",
                        "shown once: store it now, only its hash is kept");
                  });
            });
    router
        .get("/admin/tokens")
        .handler(ctx -> Replies.blocking(ctx, 200, () -> Map.of("items", tokens.all())));
    router
        .delete("/admin/tokens/:id")
        .handler(
            ctx -> {
              var id = ctx.pathParam("id");
              var actor = AdminAuth.actor(ctx);
              Replies.blocking(
                  ctx,
                  204,
                  () -> {
                    tokens.delete(id, actor);
                    auth.invalidateAll();
                    return null;
                  });
            });
  }

  private static AdminToken.Role parseRole(String role) {
    try {
      return AdminToken.Role.valueOf(role == null ? "VIEWER" : role);
    } catch (IllegalArgumentException e) {
      throw new ProblemException(
          Problem.validation(List.of(new FieldError("role", "must be ADMIN or VIEWER"))));
    }
  }
}
