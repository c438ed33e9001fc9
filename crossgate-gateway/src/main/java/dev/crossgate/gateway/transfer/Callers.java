package dev.crossgate.gateway.transfer;

import dev.crossgate.gateway.GatewayEndpoint;
import io.vertx.ext.web.RoutingContext;

/** The transfer a request names: the caller's tenant (resolved by the chain) and the {@code :id}. */
final class Callers {
  /** A transfer as named by a request: the caller's tenant and the {@code :id} path parameter. */
  record TransferRef(String owner, String id) {}

  /** The caller's tenant and the validated {@code :id} of the request; 401 or 400 problems. */
  TransferRef transfer(RoutingContext ctx) {
    return new TransferRef(owner(ctx), TransferIds.require("id", ctx.pathParam("id")));
  }

  /** The owning tenant id; 401 problem when the chain resolved no caller. Runs on the event loop. */
  String owner(RoutingContext ctx) {
    return GatewayEndpoint.caller(ctx).tenantId();
  }
}
