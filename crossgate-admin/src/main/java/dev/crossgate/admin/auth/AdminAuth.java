package dev.crossgate.admin.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.crossgate.auth.Secrets;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.token.AdminToken;
import dev.crossgate.store.token.TokenRepository;
import dev.crossgate.tenant.ApiKey;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Bearer-token authentication of the Admin API: 401 without a valid token, 403 when a viewer
 * tries to write. Token lookups are cached briefly by hash so that the database is not asked on
 * every request; a deleted token stops working within {@link #CACHE_TTL}.
 */
public final class AdminAuth implements Handler<RoutingContext> {
  public static final Duration CACHE_TTL = Duration.ofSeconds(10);
  private static final String PRINCIPAL = "crossgate.principal";
  private static final String TENANT_KEY = "crossgate.tenantKey";
  /** The only resources a tenant's API key may call: its extension registry (the tenant's sync). */
  private static final Pattern TENANT_KEY_PATHS = Pattern.compile("/admin/tenants/[^/]+/extensions(/[^/]+)?");

  private final TokenRepository tokens;
  private final Function<String, ApiKey> tenantKeys;
  private final Cache<String, Optional<AdminToken>> cache =
      Caffeine.newBuilder().expireAfterWrite(CACHE_TTL).maximumSize(10_000).build();

  public AdminAuth(TokenRepository tokens) {
    this(tokens, hash -> null);
  }

  /**
   * @param tenantKeys the tenant API key with a given SHA-256, or null; looked up on the calling
   *     thread, so it must not block (the control plane's current configuration serves it)
   */
  public AdminAuth(TokenRepository tokens, Function<String, ApiKey> tenantKeys) {
    this.tokens = tokens;
    this.tenantKeys = tenantKeys;
  }

  /** The tenant API key this request was authenticated with, or null for an admin token. */
  public static ApiKey tenantKey(RoutingContext ctx) {
    return ctx.get(TENANT_KEY);
  }

  /** The authenticated token of this request; only valid behind this handler. */
  public static AdminToken principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  @Override
  public void handle(RoutingContext ctx) {
    var apiKey = ctx.request().getHeader("x-api-key");
    if (apiKey != null && TENANT_KEY_PATHS.matcher(ctx.request().path()).matches()) {
      authorizeTenantKey(ctx, apiKey.trim());
      return;
    }
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

  /** A tenant key acts with write access, but only on its tenant (checked by the endpoint). */
  private void authorizeTenantKey(RoutingContext ctx, String key) {
    var found = tenantKeys.apply(Secrets.sha256Hex(key));
    if (found == null) {
      ctx.fail(new ProblemException(Problem.unauthorized("the API key is not valid")));
      return;
    }
    ctx.put(TENANT_KEY, found);
    ctx.put(PRINCIPAL, new AdminToken(found.id(), "tenant:" + found.tenantId(), AdminToken.Role.ADMIN,
        found.createdAt()));
    ctx.next();
  }

  private void authorize(RoutingContext ctx, Optional<AdminToken> token) {
    if (token.isEmpty() && TENANT_KEY_PATHS.matcher(ctx.request().path()).matches()) {
      // DESIGN.md: callers present a key as X-Api-Key or as a bearer token
      var header = ctx.request().getHeader("authorization");
      authorizeTenantKey(ctx, header.substring(7).trim());
      return;
    }
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
