package dev.crossgate.gateway.task;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.json.Json;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.Route;
import dev.crossgate.task.InterfaceDeclaration;
import dev.crossgate.task.InterfaceList;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.Comparator;

/**
 * {@code GET /_interfaces}: the data interface declarations a caller's key may call (DESIGN.md: a
 * route is the declaration). Each enabled route with its mode, params and the request path to use
 * (mode marker + source path). Keys are not scoped to routes yet, so a valid key sees every enabled
 * route; without a valid key the answer is 401.
 */
public final class InterfacesEndpoint implements GatewayEndpoint {
  private final GatewayOptions.Markers markers;

  public InterfacesEndpoint(GatewayOptions.Markers markers) {
    this.markers = markers;
  }

  @Override
  public void mount(Router router) {
    router
        .get("/_interfaces")
        .handler(
            ctx -> {
              try {
                GatewayEndpoint.caller(ctx);
              } catch (ProblemException e) {
                TaskEndpoint.fail(ctx, e);
                return;
              }
              var snapshot = GatewayEndpoint.exchange(ctx).config();
              var routes = new ArrayList<>(snapshot.routes().routes());
              routes.sort(Comparator.comparing(Route::sourcePath).thenComparing(Route::id));
              var list = new ArrayList<InterfaceDeclaration>();
              for (var r : routes) {
                if (r.enabled()) {
                  list.add(InterfaceDeclaration.of(r, requestPath(r)));
                }
              }
              var body =
                  new InterfaceList(
                      snapshot.revision(),
                      new InterfaceList.Markers(markers.sync(), markers.async()),
                      list);
              ctx.response()
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                  .end(Buffer.buffer(Json.writeBytes(body)));
            });
  }

  private String requestPath(Route r) {
    var marker = r.mode() == Route.Mode.ASYNC ? markers.async() : markers.sync();
    return marker + (r.sourcePath().equals("/") ? "" : r.sourcePath());
  }
}
