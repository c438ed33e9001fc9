package dev.crossgate.gateway.route;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.problem.Problem;
import dev.crossgate.route.ParamCheck;
import dev.crossgate.route.Route;
import io.vertx.core.Future;

/**
 * Checks every call against its route's declared interface (the one {@code /_interfaces} lists):
 * the mode marker {@link PathStep} stripped must fit the route's mode, and the declared params must
 * be present and of their type (400 naming each param). It runs after route auth, so an anonymous
 * caller learns nothing about a KEY route's interface, and before async tasks, so no task is made
 * of a call the interface refuses.
 */
public final class InterfaceStep implements Step {
  private final GatewayOptions.Markers markers;

  public InterfaceStep(GatewayOptions.Markers markers) {
    this.markers = markers;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    Problem refused = null;
    if (exchange.marker() == Exchange.Marker.ASYNC && route.mode() == Route.Mode.SYNC) {
      refused = wrongMarker(markers.sync(), "SYNC");
    } else if (exchange.marker() == Exchange.Marker.SYNC && route.mode() == Route.Mode.ASYNC) {
      refused = wrongMarker(markers.async(), "ASYNC");
    } else {
      var errors = ParamCheck.check(route.params(), exchange.request()::getParam);
      if (!errors.isEmpty()) {
        refused = Problem.validation(errors);
      }
    }
    if (refused == null) {
      return next.proceed(exchange);
    }
    exchange.reply(refused);
    return Future.succeededFuture();
  }

  private static Problem wrongMarker(String marker, String mode) {
    return Problem.of(
        "wrong-marker",
        "Wrong mode marker",
        400,
        "this interface is " + mode + "; call it under the " + marker + " marker");
  }
}
