package dev.crossgate.admin.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.crossgate.auth.Caller;
import dev.crossgate.auth.PresentedKey;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.PathNormalizer;
import dev.crossgate.store.token.AdminToken;
import dev.crossgate.store.token.TokenRepository;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Who may call the Admin API, decided on exactly the path the router serves:
 *
 * <ol>
 *   <li>The path must already be in normal form ({@link PathNormalizer#requireNormalForm}): no dot
 *       segments, {@code %2e}, {@code //} or {@code ;}, else 400. Authorising one spelling while
 *       the router serves another is how tenant keys once reached every tenant's resources.
 *   <li>An admin token ({@code Authorization: Bearer}) is an operator: 401 without a valid one, 403
 *       when a viewer tries to write.
 *   <li>A tenant API key (the same {@link PresentedKey} rule as the traffic port) is a tenant
 *       {@link Caller}, never an operator: it reaches only {@code /admin/tenants/{own
 *       tenant}/extensions[/{id}[/versions/{v}[/module]]]} (the tenant's sync of the extensions it
 *       deploys and the modules it uploads) and {@code /admin/tenants/{own
 *       tenant}/issuers[/{name}]} (its token issuers), and a key of a disabled tenant is refused
 *       with 403 {@code tenant-disabled}.
 * </ol>
 *
 * Token lookups are cached briefly by hash so that the database is not asked on every request; a
 * deleted token stops working within {@link #CACHE_TTL}.
 */
public final class AdminAuth implements Handler<RoutingContext> {
  public static final Duration CACHE_TTL = Duration.ofSeconds(10);
  private static final String PRINCIPAL = "crossgate.principal";
  private static final String TENANT_CALLER = "crossgate.tenantCaller";
  private static final String REALM = "Bearer realm=\"crossgate-admin\"";

  /** The only resources a tenant's API key may call, group 1 being the tenant they belong to. */
  private static final Pattern TENANT_RESOURCES =
      Pattern.compile(
          "/admin/tenants/([^/]+)/(?:issuers(?:/[^/]+)?|extensions(?:/[^/]+(?:/versions/[^/]+(?:/module)?)?)?)");

  private final TokenRepository tokens;
  private final Supplier<GatewayConfig> config;
  private final Cache<String, Optional<AdminToken>> cache =
      Caffeine.newBuilder().expireAfterWrite(CACHE_TTL).maximumSize(10_000).build();

  public AdminAuth(TokenRepository tokens) {
    this(tokens, () -> GatewayConfig.EMPTY);
  }

  /**
   * @param config the configuration nodes serve, for tenant keys and disabled tenants; read on the
   *     calling thread, so it must not block
   */
  public AdminAuth(TokenRepository tokens, Supplier<GatewayConfig> config) {
    this.tokens = tokens;
    this.config = config;
  }

  /** The tenant this request acts for when it was authenticated by a tenant API key, else null. */
  public static Caller tenantCaller(RoutingContext ctx) {
    return ctx.get(TENANT_CALLER);
  }

  /**
   * The operator token of this request; null for a tenant caller. Only valid behind this handler.
   */
  public static AdminToken principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  /**
   * Who made a change, for the change log: the token's name, or {@code tenant:<id>} for a tenant
   * key.
   */
  public static String actor(RoutingContext ctx) {
    var caller = tenantCaller(ctx);
    return caller != null ? "tenant:" + caller.tenantId() : principal(ctx).name();
  }

  @Override
  public void handle(RoutingContext ctx) {
    var request = ctx.request();
    // no body is read before the caller is known; the body handler behind this one resumes
    request.pause();
    PathNormalizer.requireNormalForm(request.path());
    var presented =
        PresentedKey.of(
            request.getHeader(CrossgateHeaders.API_KEY), request.getHeader("authorization"));
    if (presented == null) {
      ctx.response().putHeader("www-authenticate", REALM);
      ctx.fail(
          new ProblemException(
              Problem.unauthorized("send an admin token as 'Authorization: Bearer <token>'")));
      return;
    }
    var hash = presented.hash();
    if (!presented.bearer()) {
      authorizeTenantKey(ctx, presented, hash);
      return;
    }
    var cached = cache.getIfPresent(hash);
    if (cached != null) {
      authorize(ctx, cached, presented, hash);
      return;
    }
    ctx.vertx()
        .executeBlocking(() -> tokens.authenticate(presented.key()), false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              cache.put(hash, ar.result());
              authorize(ctx, ar.result(), presented, hash);
            });
  }

  private void authorize(
      RoutingContext ctx, Optional<AdminToken> token, PresentedKey presented, String hash) {
    if (token.isEmpty()) {
      // callers present a tenant key as X-Api-Key or as a bearer token, like on the traffic port
      authorizeTenantKey(ctx, presented, hash);
      return;
    }
    var method = ctx.request().method();
    boolean reads =
        method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
    if (!reads && token.get().role() != AdminToken.Role.ADMIN) {
      ctx.fail(
          new ProblemException(
              Problem.forbidden(
                  "token '"
                      + token.get().name()
                      + "' is a viewer token: it may read but not change anything")));
      return;
    }
    ctx.put(PRINCIPAL, token.get());
    ctx.next();
  }

  /**
   * A tenant key acts on its own tenant's extension registry and token issuers only; it is never an
   * operator.
   */
  private void authorizeTenantKey(RoutingContext ctx, PresentedKey presented, String hash) {
    var snapshot = config.get();
    var key = snapshot.apiKeys().get(hash);
    if (key == null) {
      ctx.response().putHeader("www-authenticate", REALM + ", error=\"invalid_token\"");
      ctx.fail(
          new ProblemException(
              Problem.unauthorized(
                  presented.bearer()
                      ? "the token is neither an admin token nor a tenant API key"
                      : "the API key is not valid")));
      return;
    }
    if (snapshot.tenantDisabled(key.tenantId())) {
      ctx.fail(new ProblemException(Problem.tenantDisabled(key.tenantId())));
      return;
    }
    var resource = TENANT_RESOURCES.matcher(ctx.request().path());
    if (!resource.matches() || !resource.group(1).equals(key.tenantId())) {
      ctx.fail(
          new ProblemException(
              Problem.forbidden(
                  "an API key of tenant "
                      + key.tenantId()
                      + " may only manage that tenant's extensions and token issuers"
                      + " (/admin/tenants/"
                      + key.tenantId()
                      + "/extensions, /admin/tenants/"
                      + key.tenantId()
                      + "/issuers)")));
      return;
    }
    ctx.put(TENANT_CALLER, Caller.of(key));
    ctx.next();
  }

  /** Forgets cached lookups, e.g. after a token was deleted. */
  public void invalidateAll() {
    cache.invalidateAll();
  }
}
