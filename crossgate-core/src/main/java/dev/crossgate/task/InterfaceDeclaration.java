package dev.crossgate.task;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.crossgate.route.Route;
import java.util.List;
import java.util.Objects;

/**
 * A data interface as the gateway declares it on {@code GET /_interfaces} (DESIGN.md: a route is
 * the declaration) and as the agent classifies its callers' paths by it. Unknown fields are ignored
 * when read: a newer gateway may declare more than this agent uses.
 *
 * @param sourceHost the only host (or {@code *.domain}) the interface serves, or null for any
 * @param sourcePath where the interface lives
 * @param requestPath the path to call at the gateway: mode marker + source path
 * @param mode SYNC when the gateway did not say
 * @param asyncExecution for an ASYNC interface: CALLBACK or HELD
 * @param params the query parameters the interface checks
 */
@JsonPropertyOrder({
  "id",
  "service",
  "summary",
  "sourceHost",
  "sourcePath",
  "requestPath",
  "version",
  "methods",
  "mode",
  "asyncExecution",
  "params",
  "auth"
})
@JsonIgnoreProperties(ignoreUnknown = true)
public record InterfaceDeclaration(
    String id,
    String service,
    String summary,
    String sourceHost,
    String sourcePath,
    String requestPath,
    String version,
    List<String> methods,
    Route.Mode mode,
    Route.AsyncExecution asyncExecution,
    List<Route.Param> params,
    Route.Auth auth) {
  public InterfaceDeclaration {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sourcePath, "sourcePath");
    Objects.requireNonNull(requestPath, "requestPath");
    mode = mode == null ? Route.Mode.SYNC : mode;
    methods = methods == null ? null : List.copyOf(methods);
    params = params == null ? List.of() : List.copyOf(params);
  }

  /** The host key the gateway indexes the route by: the host, a wildcard, or "" for any host. */
  public String hostKey() {
    return sourceHost == null ? "" : sourceHost;
  }

  /** The declaration of {@code route}, called at the gateway on {@code requestPath}. */
  public static InterfaceDeclaration of(Route route, String requestPath) {
    return new InterfaceDeclaration(
        route.id(),
        route.service(),
        route.summary(),
        route.sourceHost(),
        route.sourcePath(),
        requestPath,
        route.version(),
        route.methods(),
        route.mode(),
        route.mode() == Route.Mode.ASYNC ? route.asyncExecution() : null,
        route.params(),
        route.auth());
  }
}
