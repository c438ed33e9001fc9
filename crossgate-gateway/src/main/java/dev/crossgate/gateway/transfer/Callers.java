package dev.crossgate.gateway.transfer;

import dev.crossgate.auth.Secrets;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Supplier;

/**
 * Who is calling: the tenant of the API key in {@code X-Api-Key} or {@code Authorization: Bearer}.
 * Keys are looked up by their SHA-256 in the current configuration snapshot.
 */
final class Callers {
  private final Supplier<GatewayConfig> config;

  Callers(Supplier<GatewayConfig> config) {
    this.config = config;
  }

  /** A transfer as named by a request: the caller's tenant and the {@code :id} path parameter. */
  record TransferRef(String owner, String id) {}

  /** The caller's tenant and the validated {@code :id} of the request; 401 or 400 problems. */
  TransferRef transfer(io.vertx.ext.web.RoutingContext ctx) {
    return new TransferRef(owner(ctx.request()), TransferIds.require("id", ctx.pathParam("id")));
  }

  /** The owning tenant id; 401 problem when there is no valid key. Runs on the event loop. */
  String owner(HttpServerRequest request) {
    var key = request.getHeader("X-Api-Key");
    if (key == null) {
      var authorization = request.getHeader("Authorization");
      if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        key = authorization.substring(7).trim();
      }
    }
    if (key == null || key.isEmpty()) {
      throw new ProblemException(Problem.unauthorized("an API key is required (X-Api-Key or Authorization: Bearer)"));
    }
    var apiKey = config.get().apiKeys().get(Secrets.sha256Hex(key));
    if (apiKey == null) {
      throw new ProblemException(Problem.unauthorized("the API key is not valid"));
    }
    return apiKey.tenantId();
  }
}
