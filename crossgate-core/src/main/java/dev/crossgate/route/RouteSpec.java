package dev.crossgate.route;

import dev.crossgate.ratelimit.RateLimit;
import java.time.Instant;
import java.util.List;

/**
 * A route as an operator submits it (Admin API, console): every field optional at this stage so
 * that {@link RouteValidator} can name each missing or bad one at once. Enumerations are strings
 * here for the same reason. Server-set fields are accepted (so a GET body can be PUT back) and
 * ignored, except that an {@code id} must match the route addressed.
 */
public record RouteSpec(
    String id,
    String service,
    String summary,
    String remarks,
    String sourceHost,
    String sourcePath,
    String pathMatch,
    String version,
    Boolean defaultVersion,
    List<String> methods,
    String targetUrl,
    String mode,
    String asyncExecution,
    List<Route.Param> params,
    List<String> flow,
    String auth,
    Route.Timeouts timeouts,
    Long maxBodyBytes,
    Boolean websocket,
    Boolean enabled,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    Long revision,
    TlsSpec tls,
    Boolean forwardClientCertSubject,
    Boolean versionInPath,
    String upstream,
    String targetPath,
    List<Route.Split> split,
    String stickyKey,
    Boolean forwardToken,
    List<RateLimit.Spec> rateLimits,
    Route.Cors cors) {

  /** {@link Route.UpstreamTls} as submitted: {@code verifyHostname} defaults to true. */
  public record TlsSpec(
      String caPem,
      Boolean verifyHostname,
      String serverName,
      String clientCertPem,
      String clientKeyPem) {}

  /** A spec without TLS settings. */
  public RouteSpec(
      String id,
      String service,
      String summary,
      String remarks,
      String sourceHost,
      String sourcePath,
      String pathMatch,
      String version,
      Boolean defaultVersion,
      List<String> methods,
      String targetUrl,
      String mode,
      String asyncExecution,
      List<Route.Param> params,
      List<String> flow,
      String auth,
      Route.Timeouts timeouts,
      Long maxBodyBytes,
      Boolean websocket,
      Boolean enabled,
      String createdBy,
      Instant createdAt,
      Instant updatedAt,
      Long revision) {
    this(
        id,
        service,
        summary,
        remarks,
        sourceHost,
        sourcePath,
        pathMatch,
        version,
        defaultVersion,
        methods,
        targetUrl,
        mode,
        asyncExecution,
        params,
        flow,
        auth,
        timeouts,
        maxBodyBytes,
        websocket,
        enabled,
        createdBy,
        createdAt,
        updatedAt,
        revision,
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
}
