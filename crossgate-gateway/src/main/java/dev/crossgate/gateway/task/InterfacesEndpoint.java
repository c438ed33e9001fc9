package dev.crossgate.gateway.task;

import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.json.Json;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.Route;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /_interfaces}: the data interface declarations a caller's key may call (DESIGN.md:
 * a route is the declaration). Each enabled route with its mode, params and the request path to
 * use (mode marker + source path). Keys are not scoped to routes yet, so a valid key sees every
 * enabled route; without a valid key the answer is 401.
 */
public final class InterfacesEndpoint implements GatewayEndpoint {
  private final GatewayOptions.Markers markers;

  public InterfacesEndpoint(GatewayOptions.Markers markers) {
    this.markers = markers;
  }

  @Override
  public void mount(Router router) {
    router.get("/_interfaces").handler(ctx -> {
      try {
        GatewayEndpoint.caller(ctx);
      } catch (ProblemException e) {
        TaskEndpoint.fail(ctx, e);
        return;
      }
      var snapshot = GatewayEndpoint.exchange(ctx).config();
      var routes = new ArrayList<>(snapshot.routes().routes());
      routes.sort(Comparator.comparing(Route::sourcePath).thenComparing(Route::id));
      var list = new ArrayList<Map<String, Object>>();
      for (var r : routes) {
        if (r.enabled()) {
          list.add(declaration(r));
        }
      }
      var body = new LinkedHashMap<String, Object>();
      body.put("revision", snapshot.revision());
      body.put("markers", Map.of("sync", markers.sync(), "async", markers.async()));
      body.put("interfaces", list);
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(Buffer.buffer(Json.writeBytes(body)));
    });
  }

  private Map<String, Object> declaration(Route r) {
    var d = new LinkedHashMap<String, Object>();
    d.put("id", r.id());
    d.put("service", r.service());
    if (r.summary() != null) {
      d.put("summary", r.summary());
    }
    d.put("sourcePath", r.sourcePath());
    var marker = r.mode() == Route.Mode.ASYNC ? markers.async() : markers.sync();
    d.put("requestPath", marker + (r.sourcePath().equals("/") ? "" : r.sourcePath()));
    if (r.version() != null) {
      d.put("version", r.version());
    }
    d.put("methods", r.methods());
    d.put("mode", r.mode().name());
    if (r.mode() == Route.Mode.ASYNC) {
      d.put("asyncExecution", r.asyncExecution().name());
    }
    d.put("params", r.params());
    d.put("auth", r.auth().name());
    return d;
  }
}
