package dev.crossgate.admin.config;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.util.Set;

/**
 * The Admin API of a node that serves a configuration file: reads answer as usual, every write is
 * refused with 405 naming the file, because the file is the configuration (a write through the API
 * would be undone by the next change of the file, or silently lost at restart). Mounted behind
 * authentication and before every other endpoint.
 */
public final class ReadOnlyAdmin implements AdminEndpoint {
  private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD);

  private final Path file;

  public ReadOnlyAdmin(Path file) {
    this.file = file;
  }

  @Override
  public void mount(Router router) {
    router
        .route("/admin/*")
        .handler(
            ctx -> {
              if (READS.contains(ctx.request().method())) {
                ctx.next();
                return;
              }
              ctx.response().putHeader("allow", "GET, HEAD");
              ctx.fail(
                  new ProblemException(
                      Problem.methodNotAllowed(
                              "this node serves its configuration from the file "
                                  + file
                                  + " (--config); the Admin API is read-only: edit the file")
                          .with("configFile", file.toString())));
            });
  }
}
