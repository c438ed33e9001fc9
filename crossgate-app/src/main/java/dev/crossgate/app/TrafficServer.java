package dev.crossgate.app;

import dev.crossgate.config.GatewayConfig;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemResponses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.function.Supplier;

/** Starts a node's traffic port over a configuration source; shared by standalone and gateway roles. */
final class TrafficServer {
  private TrafficServer() {}

  static Future<HttpServer> start(Vertx vertx, String bind, int port, Supplier<GatewayConfig> config) {
    return vertx.createHttpServer(new HttpServerOptions().setHost(bind).setPort(port))
        .requestHandler(req -> ProblemResponses.send(req.response(),
            Problem.notFound("no route matches " + req.method() + " " + req.path()
                + " (config revision " + config.get().revision() + ")")))
        .listen();
  }
}
