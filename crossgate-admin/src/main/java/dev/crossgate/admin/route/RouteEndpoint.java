package dev.crossgate.admin.route;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.ETags;
import dev.crossgate.admin.http.EntityReplies;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.PathNormalizer;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteMatch;
import dev.crossgate.route.RouteMatcher;
import dev.crossgate.route.RouteSource;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.route.RouteValidator;
import dev.crossgate.store.route.RouteQuery;
import dev.crossgate.store.route.RouteRepository;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/routes} (CRUD with ETag / If-Match optimistic concurrency) and {@code
 * /admin/resolve} (which route and target a URL reaches, by the gateway's own matching rules over
 * the cached route lookup).
 */
public final class RouteEndpoint implements AdminEndpoint {
  private static final int MAX_BATCH = 10_000;

  private final RouteRepository routes;
  private final RouteSource lookup;

  public RouteEndpoint(RouteRepository routes, RouteSource lookup) {
    this.routes = routes;
    this.lookup = lookup;
  }

  @Override
  public void mount(Router router) {
    router.post("/admin/routes").handler(this::create);
    router.post("/admin/routes/batch").handler(this::createBatch);
    router.get("/admin/routes").handler(this::list);
    router.get("/admin/routes/:id").handler(this::get);
    router.put("/admin/routes/:id").handler(this::replace);
    router.patch("/admin/routes/:id").handler(this::patch);
    router.delete("/admin/routes/:id").handler(this::delete);
    router.get("/admin/resolve").handler(this::resolve);
  }

  private void create(RoutingContext ctx) {
    var spec = Replies.body(ctx, RouteSpec.class, RouteValidator::check);
    var actor = AdminAuth.actor(ctx);
    Replies.offload(ctx, () -> routes.create(spec, actor))
        .onSuccess(
            route -> {
              ctx.response().putHeader("location", "/admin/routes/" + route.id());
              EntityReplies.reply(ctx, 201, route, Route::revision);
            })
        .onFailure(ctx::fail);
  }

  private void createBatch(RoutingContext ctx) {
    var specs = Replies.body(ctx, RouteSpec[].class, RouteEndpoint::checkEach);
    if (specs.length == 0 || specs.length > MAX_BATCH) {
      throw new ProblemException(
          Problem.validation(
              List.of(
                  new FieldError("body", "must be an array of 1 to " + MAX_BATCH + " routes"))));
    }
    var actor = AdminAuth.actor(ctx);
    Replies.blocking(
        ctx, 201, () -> Map.of("items", routes.createAll(Arrays.asList(specs), actor)));
  }

  /** Every invalid field of a batch, each named after its route's index. */
  private static List<FieldError> checkEach(RouteSpec[] specs) {
    var errors = new ArrayList<FieldError>();
    for (int i = 0; i < specs.length; i++) {
      if (specs[i] != null) {
        for (var e : RouteValidator.check(specs[i])) {
          errors.add(new FieldError("[" + i + "]." + e.field(), e.message()));
        }
      }
    }
    return errors;
  }

  private void list(RoutingContext ctx) {
    var q = ctx.queryParams();
    var query =
        new RouteQuery(
            q.get("service"),
            q.get("sourcePath"),
            q.get("version"),
            q.get("q"),
            Replies.enumParam(ctx, "sort", RouteQuery.Order.ID),
            Replies.intParam(ctx, "limit", 100, 1, RouteQuery.MAX_LIMIT),
            q.get("cursor"));
    Replies.blocking(ctx, 200, () -> routes.list(query));
  }

  private void get(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    EntityReplies.read(ctx, () -> routes.get(id), Route::revision, "no route with id " + id);
  }

  private void replace(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var spec = Replies.body(ctx, RouteSpec.class, RouteValidator::check);
    var ifMatch = ETags.ifMatch(ctx);
    var actor = AdminAuth.actor(ctx);
    EntityReplies.write(ctx, 200, () -> routes.replace(id, spec, actor, ifMatch), Route::revision);
  }

  private void patch(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var patch = EntityReplies.mergePatch(ctx);
    var ifMatch = ETags.ifMatch(ctx);
    var actor = AdminAuth.actor(ctx);
    EntityReplies.write(ctx, 200, () -> routes.patch(id, patch, actor, ifMatch), Route::revision);
  }

  private void delete(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var ifMatch = ETags.ifMatch(ctx);
    var actor = AdminAuth.actor(ctx);
    Replies.offload(
            ctx,
            () -> {
              routes.delete(id, actor, ifMatch);
              return null;
            })
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private void resolve(RoutingContext ctx) {
    var raw = ctx.queryParams().get("url");
    var rawMethod = ctx.queryParams().get("method");
    var method = rawMethod == null || rawMethod.isBlank() ? "GET" : rawMethod;
    if (!RouteValidator.METHODS.contains(method)) {
      throw new ProblemException(
          Problem.validation(
              List.of(
                  new FieldError(
                      "method",
                      "'"
                          + method
                          + "' is not an HTTP method; use one of "
                          + new java.util.TreeSet<>(RouteValidator.METHODS)))));
    }
    var version = ctx.queryParams().get("version");
    URI url = parseUrl(raw);
    var path =
        PathNormalizer.normalize(
            url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath());
    var host = url.getHost();
    Replies.offload(ctx, () -> RouteMatcher.match(lookup, host, path, method, version))
        .onSuccess(
            match -> {
              if (match instanceof RouteMatch.Found found) {
                Replies.json(
                    ctx,
                    200,
                    new Resolution(
                        found.route(),
                        found.version(),
                        found.targetPath()
                            + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()),
                        path));
              } else if (match instanceof RouteMatch.MethodNotAllowed refused) {
                ctx.fail(
                    new ProblemException(
                        Problem.methodNotAllowed(
                                "the route at "
                                    + path
                                    + " does not accept "
                                    + method
                                    + "; it accepts "
                                    + refused.allowed())
                            .with("allowed", refused.allowed())));
              } else if (match instanceof RouteMatch.VersionNotFound unknown) {
                ctx.fail(
                    new ProblemException(
                        Problem.versionNotFound(unknown.detail(), unknown.versions())));
              } else {
                ctx.fail(
                    new ProblemException(Problem.notFound(((RouteMatch.NotFound) match).detail())));
              }
            })
        .onFailure(ctx::fail);
  }

  private static URI parseUrl(String raw) {
    if (raw == null || raw.isBlank()) {
      throw new ProblemException(
          Problem.validation(
              List.of(
                  new FieldError(
                      "url", "is required, e.g. http://api.example.com/shop/v1/items"))));
    }
    try {
      var uri = new URI(raw.startsWith("/") ? "http://any" + raw : raw);
      if (uri.getHost() == null) {
        throw new URISyntaxException(raw, "no host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ProblemException(
          Problem.validation(
              List.of(
                  new FieldError(
                      "url",
                      "is not a URL (" + e.getReason() + "); give http://host/path or /path"))));
    }
  }

  /** The answer of {@code /admin/resolve}. */
  public record Resolution(Route route, String version, String targetUrl, String normalizedPath) {}
}
