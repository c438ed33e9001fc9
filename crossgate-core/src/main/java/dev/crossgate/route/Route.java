package dev.crossgate.route;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.crossgate.ratelimit.RateLimit;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A stored, validated route: a source (host, path, version) mapped to a target URL, or to an
 * upstream pool ({@code upstream}, with {@code targetPath} prefixed on every target). This is the
 * one configuration entity behind "network address proxy info", "RestAPI entries" and "data
 * interface declarations" (DESIGN.md). Built only by {@link RouteValidator} or the store, so every
 * instance is valid.
 */
public record Route(
    String id,
    String service,
    String summary,
    String remarks,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    String sourceHost,
    String sourcePath,
    PathMatch pathMatch,
    String version,
    boolean defaultVersion,
    List<String> methods,
    String targetUrl,
    Mode mode,
    AsyncExecution asyncExecution,
    List<Param> params,
    List<String> flow,
    Auth auth,
    Timeouts timeouts,
    Long maxBodyBytes,
    boolean websocket,
    boolean enabled,
    long revision,
    UpstreamTls tls,
    Boolean forwardClientCertSubject,
    Boolean versionInPath,
    String upstream,
    String targetPath,
    List<Split> split,
    String stickyKey,
    Boolean forwardToken,
    List<RateLimit> rateLimits,
    Cors cors) {

  /**
   * CORS (the Fetch standard) for browsers calling the route from other origins: the gateway
   * answers the route's preflight requests itself and adds the {@code Access-Control-*} headers to
   * its answers for an allowed {@code Origin}.
   *
   * @param allowOrigins origins allowed ({@code https://app.example.com}), or {@code *}
   * @param allowMethods methods a preflight may ask for (default: the route's, or GET, HEAD, POST)
   * @param allowHeaders request headers a preflight may ask for
   * @param exposeHeaders response headers the page may read
   * @param maxAgeSeconds how long a browser may cache a preflight answer (default 600)
   * @param allowCredentials whether cookies and credentials may be sent (never with {@code *})
   */
  public record Cors(
      List<String> allowOrigins,
      List<String> allowMethods,
      List<String> allowHeaders,
      List<String> exposeHeaders,
      Long maxAgeSeconds,
      Boolean allowCredentials) {
    public Cors {
      allowOrigins = allowOrigins == null ? List.of() : List.copyOf(allowOrigins);
      allowMethods = allowMethods == null ? List.of() : List.copyOf(allowMethods);
      allowHeaders = allowHeaders == null ? List.of() : List.copyOf(allowHeaders);
      exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
    }

    /** Whether a page of {@code origin} may call the route. */
    public boolean allows(String origin) {
      return origin != null && (allowOrigins.contains("*") || allowOrigins.contains(origin));
    }

    public boolean credentials() {
      return Boolean.TRUE.equals(allowCredentials);
    }
  }

  public enum Mode {
    SYNC,
    ASYNC
  }

  public enum AsyncExecution {
    CALLBACK,
    HELD
  }

  /**
   * Who may call: anyone; a tenant, by API key or registered client certificate; a tenant by
   * registered client certificate only; a tenant by a JWT of an issuer it registered; or a tenant
   * by API key, client certificate or JWT.
   */
  public enum Auth {
    NONE,
    KEY,
    MTLS,
    JWT,
    KEY_OR_JWT;

    /** Whether a request on such a route always has a calling tenant. */
    public boolean identifiesTenant() {
      return this != NONE;
    }
  }

  /** PREFIX matches the path and everything below it at a segment boundary; EXACT only the path. */
  public enum PathMatch {
    PREFIX,
    EXACT
  }

  /**
   * A share of the default version's traffic sent to {@code version} (canary): requests that name
   * no version are split by weight; those that name one keep it.
   */
  public record Split(String version, int weight) {}

  /**
   * A declared request parameter of a data interface (seed: "data interface declarations"); {@code
   * required} defaults to false.
   */
  public record Param(String name, String type, boolean required) {
    @JsonCreator
    static Param read(
        @JsonProperty("name") String name,
        @JsonProperty("type") String type,
        @JsonProperty("required") Boolean required) {
      return new Param(name, type, Boolean.TRUE.equals(required));
    }
  }

  /**
   * Upstream timeouts in milliseconds: connect (→ 502), response headers (→ 504), idle. Each one
   * left out (or null) takes its value from {@link #DEFAULT}.
   */
  public record Timeouts(long connectMs, long responseMs, long idleMs) {
    public static final Timeouts DEFAULT = new Timeouts(5_000, 30_000, 60_000);

    @JsonCreator
    static Timeouts read(
        @JsonProperty("connectMs") Long connectMs,
        @JsonProperty("responseMs") Long responseMs,
        @JsonProperty("idleMs") Long idleMs) {
      return new Timeouts(
          connectMs == null ? DEFAULT.connectMs : connectMs,
          responseMs == null ? DEFAULT.responseMs : responseMs,
          idleMs == null ? DEFAULT.idleMs : idleMs);
    }
  }

  /**
   * How the gateway speaks TLS to an https target, all PEM text so that it travels to nodes with
   * the route (never a path that exists only on the control plane).
   *
   * @param caPem CA certificate(s) the upstream's certificate must chain to, instead of the JVM's
   *     trust store; null for the JVM's
   * @param verifyHostname whether the certificate must name the host (or {@code serverName})
   * @param serverName the name sent as SNI and checked against the certificate, instead of the
   *     target URL's host
   * @param clientCertPem a certificate the gateway presents to the upstream, with {@code
   *     clientKeyPem}
   * @param clientKeyPem the PKCS#8 private key of {@code clientCertPem}
   */
  public record UpstreamTls(
      String caPem,
      boolean verifyHostname,
      String serverName,
      String clientCertPem,
      String clientKeyPem) {}

  /** A route as before TLS settings: no upstream TLS settings, no client-certificate header. */
  public Route(
      String id,
      String service,
      String summary,
      String remarks,
      String createdBy,
      Instant createdAt,
      Instant updatedAt,
      String sourceHost,
      String sourcePath,
      PathMatch pathMatch,
      String version,
      boolean defaultVersion,
      List<String> methods,
      String targetUrl,
      Mode mode,
      AsyncExecution asyncExecution,
      List<Param> params,
      List<String> flow,
      Auth auth,
      Timeouts timeouts,
      Long maxBodyBytes,
      boolean websocket,
      boolean enabled,
      long revision) {
    this(
        id,
        service,
        summary,
        remarks,
        createdBy,
        createdAt,
        updatedAt,
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

  public Route {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sourcePath, "sourcePath");
    if ((targetUrl == null) == (upstream == null)) {
      throw new IllegalArgumentException("route " + id + " needs a targetUrl or an upstream");
    }
    methods = List.copyOf(methods);
    params = List.copyOf(params);
    flow = List.copyOf(flow);
    pathMatch = pathMatch == null ? PathMatch.PREFIX : pathMatch;
    mode = mode == null ? Mode.SYNC : mode;
    asyncExecution = asyncExecution == null ? AsyncExecution.CALLBACK : asyncExecution;
    auth = auth == null ? Auth.NONE : auth;
    timeouts = timeouts == null ? Timeouts.DEFAULT : timeouts;
    // true or absent: a route stored before the field existed reads, and one without it is
    // written (and so hashed by ConfigHash) exactly as before
    forwardClientCertSubject = Boolean.TRUE.equals(forwardClientCertSubject) ? Boolean.TRUE : null;
    forwardToken = Boolean.TRUE.equals(forwardToken) ? Boolean.TRUE : null;
    // false or absent (the default, true), for the same reason
    versionInPath = Boolean.FALSE.equals(versionInPath) ? Boolean.FALSE : null;
    // absent rather than empty: a route without a split is written (and hashed) as before
    split = split == null || split.isEmpty() ? null : List.copyOf(split);
    rateLimits = rateLimits == null || rateLimits.isEmpty() ? null : List.copyOf(rateLimits);
  }

  /**
   * Whether a path segment that looks like a version of this source but is not one of its versions
   * ({@code /shop/v3/x} when only v1 and v2 exist) is refused rather than passed to this route as
   * part of its path. False for sources whose own paths contain such segments.
   */
  public boolean checksVersionInPath() {
    return versionInPath == null;
  }

  /**
   * Whether the upstream receives the verified client certificate's subject ({@code
   * X-Client-Cert-Subject}).
   */
  public boolean forwardsClientCertSubject() {
    return forwardClientCertSubject != null;
  }

  /**
   * Whether the caller's JWT ({@code Authorization: Bearer}) travels upstream; by default it is
   * removed once verified, and only the configured claim headers carry the identity.
   */
  public boolean forwardsToken() {
    return forwardToken != null;
  }

  /** True when this route accepts {@code method}; an empty method list accepts every method. */
  public boolean allows(String method) {
    return methods.isEmpty() || methods.contains(method);
  }

  /**
   * The host key routes are indexed by: the exact host, a {@code *.domain} wildcard, or "" for any.
   */
  public String hostKey() {
    return sourceHost == null ? "" : sourceHost;
  }

  public Route withServerFields(
      String newId, String actor, Instant created, Instant updated, long rev) {
    return new Route(
        newId,
        service,
        summary,
        remarks,
        actor,
        created,
        updated,
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
        rev,
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
  }

  /** The route's rate-limit policies; empty when it has none. */
  public List<RateLimit> limits() {
    return rateLimits == null ? List.of() : rateLimits;
  }

  /** True when requests go to an upstream pool rather than one {@code targetUrl}. */
  public boolean pooled() {
    return upstream != null;
  }
}
