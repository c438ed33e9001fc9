package dev.crossgate.admin.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.crossgate.auth.Secrets;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.token.AdminToken;
import dev.crossgate.store.token.TokenRepository;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;

/**
 * Bearer-token authentication of the Admin API: 401 without a valid token, 403 when a viewer
 * tries to write. Token lookups are cached briefly by hash so that the database is not asked on
 * every request; a deleted token stops working within {@link #CACHE_TTL}.
 */
public final class AdminAuth implements Handler<RoutingContext> {
  public static final Duration CACHE_TTL = Duration.ofSeconds(10);
  private static final String PRINCIPAL = "crossgate.principal";

  private final TokenRepository tokens;
  private final Cache<String, Optional<AdminToken>> cache =
      Caffeine.newBuilder().expireAfterWrite(CACHE_TTL).maximumSize(10_000).build();

  public AdminAuth(TokenRepository tokens) {
    this.tokens = tokens;
  }

  /** The authenticated token of this request; only valid behind this handler. */
  public static AdminToken principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  @Override
  public void handle(RoutingContext ctx) {
    var header = ctx.request().getHeader("authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() < 8) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"crossgate-admin\"");
      ctx.fail(new ProblemException(Problem.unauthorized(
          "send an admin token as 'Authorization: Bearer <token>'")));
      return;
    }
    var token = header.substring(7).trim();
    var hash = Secrets.sha256Hex(token);
    var cached = cache.getIfPresent(hash);
    if (cached != null) {
      authorize(ctx, cached);
      return;
    }
    ctx.vertx().executeBlocking(() -> tokens.authenticate(token), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      cache.put(hash, ar.result());
      authorize(ctx, ar.result());
    });
  }

  private static void authorize(RoutingContext ctx, Optional<AdminToken> token) {
    if (token.isEmpty()) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"crossgate-admin\", error=\"invalid_token\"");
      ctx.fail(new ProblemException(Problem.unauthorized("the admin token is not valid")));
      return;
    }
    var method = ctx.request().method();
    boolean reads = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
    if (!reads && token.get().role() != AdminToken.Role.ADMIN) {
      ctx.fail(new ProblemException(Problem.forbidden(
          "token '" + token.get().name() + "' is a viewer token: it may read but not change anything")));
      return;
    }
    ctx.put(PRINCIPAL, token.get());
    ctx.next();
  }

  /** Forgets cached lookups, e.g. after a token was deleted. */
  public void invalidateAll() {
    cache.invalidateAll();
  }
}
