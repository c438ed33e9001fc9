package dev.crossgate.agent.declaration;

import dev.crossgate.route.Route;
import java.util.List;

/**
 * A data interface as the gateway declares it in {@code GET /_interfaces}: where it lives
 * ({@code sourcePath}), the path to call at the gateway (mode marker + source path), its mode
 * and its params.
 */
public record Declaration(String id, String sourcePath, String requestPath, Route.Mode mode, List<Route.Param> params) {
  public Declaration {
    params = List.copyOf(params);
  }
}
