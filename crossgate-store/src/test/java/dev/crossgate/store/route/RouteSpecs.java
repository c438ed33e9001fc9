package dev.crossgate.store.route;

import dev.crossgate.route.RouteSpec;
import java.util.List;

/** Route specs for tests: a valid one, then changed field by field. */
public final class RouteSpecs {
  private RouteSpecs() {}

  public static RouteSpec spec(
      String sourcePath,
      String version,
      boolean defaultVersion,
      List<String> methods,
      String targetUrl) {
    return spec("shop", sourcePath, version, defaultVersion, methods, targetUrl);
  }

  /** A route of {@code service} at {@code sourcePath}. */
  public static RouteSpec inService(String service, String sourcePath) {
    return spec(service, sourcePath, null, false, List.of("GET"), "http://127.0.0.1:8081/home");
  }

  private static RouteSpec spec(
      String service,
      String sourcePath,
      String version,
      boolean defaultVersion,
      List<String> methods,
      String targetUrl) {
    return new RouteSpec(
        null,
        service,
        null,
        null,
        null,
        sourcePath,
        null,
        version,
        defaultVersion,
        methods,
        targetUrl,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  public static RouteSpec spec(String sourcePath, String version) {
    return spec(sourcePath, version, false, List.of("GET"), "http://127.0.0.1:8081/home");
  }
}
