package dev.crossgate.gateway.kit;

import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.route.RouteValidator;
import java.time.Instant;
import java.util.List;

/**
 * Routes for tests, built through {@link RouteValidator} so each one is as valid as a stored one.
 */
public final class TestRoutes {
  private TestRoutes() {}

  /** A mutable description of a route; {@link #build()} validates it. */
  public static final class Builder {
    private final String id;
    private final String sourcePath;
    private String targetUrl;
    private String upstream;
    private List<Route.Split> split;
    private String stickyKey;
    private String targetPath;
    private String host;
    private String pathMatch;
    private String version;
    private boolean defaultVersion;
    private List<String> methods;
    private String mode;
    private String auth;
    private Route.Timeouts timeouts;
    private Long maxBodyBytes;
    private boolean websocket;
    private boolean enabled = true;
    private List<String> flow;
    private String asyncExecution;
    private List<Route.Param> params;
    private RouteSpec.TlsSpec tls;
    private Boolean forwardClientCertSubject;
    private Boolean versionInPath;
    private Boolean forwardToken;
    private List<RateLimit.Spec> rateLimits;
    private String service = "svc";
    private Route.Cors cors;

    Builder(String id, String sourcePath, String targetUrl) {
      this.id = id;
      this.sourcePath = sourcePath;
      this.targetUrl = targetUrl;
    }

    public Builder host(String h) {
      this.host = h;
      return this;
    }

    public Builder exact() {
      this.pathMatch = "EXACT";
      return this;
    }

    public Builder version(String v, boolean isDefault) {
      this.version = v;
      this.defaultVersion = isDefault;
      return this;
    }

    public Builder methods(String... m) {
      this.methods = List.of(m);
      return this;
    }

    public Builder async() {
      this.mode = "ASYNC";
      return this;
    }

    /** Async, executed by the gateway itself (the upstream is an ordinary slow sync one). */
    public Builder held() {
      this.mode = "ASYNC";
      this.asyncExecution = "HELD";
      return this;
    }

    /**
     * Declared params as name:type or name:type? (optional), e.g. {@code "q:string", "n:integer?"}.
     */
    public Builder params(String... declared) {
      var list = new java.util.ArrayList<Route.Param>();
      for (var d : declared) {
        var parts = d.split(":");
        boolean optional = parts[1].endsWith("?");
        list.add(
            new Route.Param(
                parts[0],
                optional ? parts[1].substring(0, parts[1].length() - 1) : parts[1],
                !optional));
      }
      this.params = list;
      return this;
    }

    public Builder keyAuth() {
      this.auth = "KEY";
      return this;
    }

    /** Only a caller with a JWT of an issuer its tenant registered. */
    public Builder jwtAuth() {
      this.auth = "JWT";
      return this;
    }

    /** A caller with an API key, a registered client certificate or a JWT. */
    public Builder keyOrJwtAuth() {
      this.auth = "KEY_OR_JWT";
      return this;
    }

    /** The caller's JWT travels upstream in its Authorization header. */
    public Builder forwardToken() {
      this.forwardToken = true;
      return this;
    }

    /** Only a caller identified by a registered client certificate. */
    public Builder mtlsAuth() {
      this.auth = "MTLS";
      return this;
    }

    /** The upstream receives the verified client certificate's subject as X-Client-Cert-Subject. */
    public Builder forwardClientCertSubject() {
      this.forwardClientCertSubject = true;
      return this;
    }

    /** Opts out of refusing path segments that look like an unknown version of the source. */
    public Builder versionsNotInPath() {
      this.versionInPath = false;
      return this;
    }

    public Builder tls(RouteSpec.TlsSpec settings) {
      this.tls = settings;
      return this;
    }

    public Builder timeouts(long connectMs, long responseMs, long idleMs) {
      this.timeouts = new Route.Timeouts(connectMs, responseMs, idleMs);
      return this;
    }

    public Builder maxBodyBytes(long bytes) {
      this.maxBodyBytes = bytes;
      return this;
    }

    public Builder websocket() {
      this.websocket = true;
      return this;
    }

    public Builder disabled() {
      this.enabled = false;
      return this;
    }

    /** To the upstream pool {@code id} instead of the target URL, {@code path} on every target. */
    public Builder upstream(String id, String path) {
      this.targetUrl = null;
      this.upstream = id;
      this.targetPath = path;
      return this;
    }

    /** A canary split of the default version's traffic, callers kept on one by {@code sticky}. */
    public Builder split(String sticky, Route.Split... shares) {
      this.split = List.of(shares);
      this.stickyKey = sticky;
      return this;
    }

    /** Rate-limit policies, e.g. {@code new RateLimit.Spec("TENANT", 50L, "1s", 5L)}. */
    public Builder rateLimits(RateLimit.Spec... policies) {
      this.rateLimits = List.of(policies);
      return this;
    }

    public Builder service(String name) {
      this.service = name;
      return this;
    }

    public Builder cors(Route.Cors policy) {
      this.cors = policy;
      return this;
    }

    public Builder flow(String... steps) {
      this.flow = List.of(steps);
      return this;
    }

    public Route build() {
      var spec =
          new RouteSpec(
              null,
              service,
              null,
              null,
              host,
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
              null,
              null,
              null,
              null,
              tls,
              forwardClientCertSubject,
              versionInPath,
              upstream,
              targetPath,
              split,
              stickyKey,
              forwardToken,
              rateLimits,
              cors);
      var now = Instant.now();
      return RouteValidator.validate(id, spec, "test", now, now);
    }
  }

  public static Builder route(String id, String sourcePath, String targetUrl) {
    return new Builder(id, sourcePath, targetUrl);
  }
}
