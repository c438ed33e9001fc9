package dev.crossgate.transfer;

import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import io.vertx.ext.web.RoutingContext;

/**
 * A transfer as a request names it: the caller's tenant, resolved by the chain, and the validated
 * {@code :id} path parameter. A tenant only ever names its own transfers.
 */
record TransferRef(String owner, String id) {
  /** The caller's tenant and the request's {@code :id}; 401 or 400 problems. Event loop. */
  static TransferRef of(RoutingContext ctx) {
    return new TransferRef(owner(ctx), TransferIds.require("id", ctx.pathParam("id")));
  }

  /** The calling tenant; 401 problem when the chain resolved no caller. Event loop. */
  static String owner(RoutingContext ctx) {
    return GatewayEndpoint.caller(ctx).tenantId();
  }
}
