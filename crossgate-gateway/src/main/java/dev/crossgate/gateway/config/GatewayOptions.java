package dev.crossgate.gateway.config;

import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.filter.Cidr;
import dev.crossgate.gateway.GatewayServer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a gateway node listens, limits and connects. Immutable; {@link #defaults()} is what {@code
 * crossgate gateway} and {@code crossgate standalone} start with.
 *
 * @param bind address to listen on
 * @param port port to listen on; 0 picks a free one (see {@link GatewayServer#port()})
 * @param eventLoops server instances, one per event loop, each with its own upstream pools
 * @param limits request limits enforced before routing
 * @param upstream upstream connection pools and DNS
 * @param trustedProxies CIDR blocks of proxies in front of the gateway whose {@code
 *     X-Forwarded-For}/{@code Forwarded} entries are believed
 * @param accessLogJson access-log lines as JSON objects instead of {@code key=value}
 * @param markers request path markers that select the interaction mode
 * @param drainTimeout how long {@link GatewayServer#close()} lets in-flight requests finish
 * @param egress where connections to tenant-chosen addresses may go (transfer targets, extension
 *     endpoints and artifacts); route upstreams are the operator's and are not subject to it
 * @param publicUrl the gateway's external base URL, e.g. {@code https://api.example.com}: the
 *     result URL handed to async upstreams is built from it, never from a request's Host; null
 *     defaults to {@code http://<bind>:<port>} on a loopback bind and is required otherwise
 * @param h2c accept cleartext HTTP/2 (prior knowledge and {@code Upgrade: h2c}); off by default,
 *     because a front proxy that passes an upgrade on would let a client tunnel HTTP/2 requests
 *     past whatever that proxy checks per request (h2c smuggling)
 */
public record GatewayOptions(
    String bind,
    int port,
    int eventLoops,
    Limits limits,
    Upstream upstream,
    List<String> trustedProxies,
    boolean accessLogJson,
    Markers markers,
    Duration drainTimeout,
    EgressPolicy egress,
    String publicUrl,
    boolean h2c) {

  /**
   * @param maxUriLength longest request target in characters (414 above it)
   * @param maxHeaderBytes largest header block, names and values (431 above it)
   * @param maxBodyBytes body limit for routes that set none (413 above it, enforced while
   *     streaming)
   * @param requestsPerSecondPerClient sustained request rate per client IP (429 above it); 0 =
   *     unlimited
   * @param burstPerClient requests a client may send at once before the rate applies
   * @param maxConnectionsPerClient open connections per client IP (429 and close above it); 0 =
   *     unlimited
   * @param requestHeadTimeout how long a new connection may take to send its first complete request
   *     head before it is closed (slow-header attacks); zero = no limit
   * @param keepAliveTimeout how long a kept-alive connection may wait for its next complete request
   *     head; zero = no limit
   * @param maxInFlightPerTenant requests one tenant's callers may have in flight on this node at
   *     once (429 above it); 0 = unlimited
   * @param bufferBudgetBytes bytes this node may hold in memory for bodies it must read whole
   *     (async task bodies and results, flow extension bodies, tus segments): above it such
   *     requests get 503 with Retry-After while streamed proxy traffic is unaffected
   */
  public record Limits(
      int maxUriLength,
      int maxHeaderBytes,
      long maxBodyBytes,
      int requestsPerSecondPerClient,
      int burstPerClient,
      int maxConnectionsPerClient,
      Duration requestHeadTimeout,
      Duration keepAliveTimeout,
      int maxInFlightPerTenant,
      long bufferBudgetBytes) {
    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_TENANT = 1_000;

    /** A quarter of the heap: room for the chain, the access log and the pools beside it. */
    public static final long DEFAULT_BUFFER_BUDGET = Runtime.getRuntime().maxMemory() / 4;

    public static final Limits DEFAULT = new Limits(8_192, 16_384, 1L << 30, 0, 0, 0);

    public Limits {
      Objects.requireNonNull(requestHeadTimeout, "requestHeadTimeout");
      Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
      if (maxUriLength < 64
          || maxHeaderBytes < 1_024
          || maxBodyBytes < 0
          || requestsPerSecondPerClient < 0
          || burstPerClient < 0
          || maxConnectionsPerClient < 0
          || requestHeadTimeout.isNegative()
          || keepAliveTimeout.isNegative()
          || maxInFlightPerTenant < 0
          || bufferBudgetBytes < 0) {
        throw new IllegalArgumentException(
            "limits out of range: uri>=64, headers>=1024, others>=0");
      }
    }

    /** The size and rate limits, with the default timeouts, tenant bound and buffer budget. */
    public Limits(
        int maxUriLength,
        int maxHeaderBytes,
        long maxBodyBytes,
        int requestsPerSecondPerClient,
        int burstPerClient,
        int maxConnectionsPerClient) {
      this(
          maxUriLength,
          maxHeaderBytes,
          maxBodyBytes,
          requestsPerSecondPerClient,
          burstPerClient,
          maxConnectionsPerClient,
          DEFAULT_REQUEST_HEAD_TIMEOUT,
          DEFAULT_KEEP_ALIVE_TIMEOUT,
          DEFAULT_MAX_IN_FLIGHT_PER_TENANT,
          DEFAULT_BUFFER_BUDGET);
    }

    public Limits withClientTimeouts(Duration requestHead, Duration keepAlive) {
      return new Limits(
          maxUriLength,
          maxHeaderBytes,
          maxBodyBytes,
          requestsPerSecondPerClient,
          burstPerClient,
          maxConnectionsPerClient,
          requestHead,
          keepAlive,
          maxInFlightPerTenant,
          bufferBudgetBytes);
    }

    public Limits withTenantBounds(int inFlightPerTenant, long bufferBudget) {
      return new Limits(
          maxUriLength,
          maxHeaderBytes,
          maxBodyBytes,
          requestsPerSecondPerClient,
          burstPerClient,
          maxConnectionsPerClient,
          requestHeadTimeout,
          keepAliveTimeout,
          inFlightPerTenant,
          bufferBudget);
    }
  }

  /**
   * @param maxConnectionsPerHost keep-alive pool size per upstream host:port, split across event
   *     loops
   * @param maxWaitQueue requests that may wait for a pooled connection; beyond it 503 at once
   * @param keepAliveSeconds an idle pooled connection is closed after this
   * @param maxLifetimeSeconds a pooled connection is retired after this, so a DNS change is picked
   *     up by new connections even under constant load
   * @param dnsMaxTtlSeconds upper bound on how long a resolved address is used (the record's TTL
   *     applies when shorter): bounds the DNS cache ({@link GatewayServer#addressResolverOptions})
   *     and the upstream client's own cache of an origin's addresses
   */
  public record Upstream(
      int maxConnectionsPerHost,
      int maxWaitQueue,
      int keepAliveSeconds,
      int maxLifetimeSeconds,
      int dnsMaxTtlSeconds) {
    public static final Upstream DEFAULT = new Upstream(512, 1_024, 60, 300, 30);

    public Upstream {
      if (maxConnectionsPerHost < 1
          || maxWaitQueue < 0
          || keepAliveSeconds < 1
          || maxLifetimeSeconds < 1
          || dnsMaxTtlSeconds < 0) {
        throw new IllegalArgumentException("upstream options out of range");
      }
    }
  }

  /** Path markers (DESIGN.md "Mode marker"): {@code /sync/abc}, {@code /async/def}. */
  public record Markers(String sync, String async) {
    public static final Markers DEFAULT = new Markers("/sync", "/async");

    public Markers {
      for (var m : new String[] {sync, async}) {
        if (m == null || !m.matches("/[A-Za-z0-9._~-]+")) {
          throw new IllegalArgumentException(
              "a marker is one path segment such as /sync, got " + m);
        }
      }
      if (sync.equals(async)) {
        throw new IllegalArgumentException("sync and async markers must differ");
      }
    }
  }

  public GatewayOptions {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(markers, "markers");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(egress, "egress");
    publicUrl = publicUrl == null ? null : checkedPublicUrl(publicUrl);
    trustedProxies = List.copyOf(trustedProxies);
    for (var cidr : trustedProxies) {
      if (Cidr.parse(cidr) == null) {
        throw new IllegalArgumentException(
            "trusted proxy '" + cidr + "' is not an IP address or CIDR block");
      }
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (eventLoops < 1) {
      throw new IllegalArgumentException("eventLoops must be at least 1");
    }
  }

  /** An absolute http(s) URL without query or fragment; a trailing slash is dropped. */
  private static String checkedPublicUrl(String url) {
    java.net.URI uri;
    try {
      uri = new java.net.URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("the public URL '" + url + "' is not a URL");
    }
    var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "the public URL must be an absolute http(s) URL without user info, query or"
              + " fragment, e.g. https://api.example.com, got '"
              + url
              + "'");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  public GatewayOptions withEgress(EgressPolicy policy) {
    return new GatewayOptions(
        bind,
        port,
        eventLoops,
        limits,
        upstream,
        trustedProxies,
        accessLogJson,
        markers,
        drainTimeout,
        policy,
        publicUrl,
        h2c);
  }

  public GatewayOptions withPublicUrl(String url) {
    return new GatewayOptions(
        bind,
        port,
        eventLoops,
        limits,
        upstream,
        trustedProxies,
        accessLogJson,
        markers,
        drainTimeout,
        egress,
        url,
        h2c);
  }

  public GatewayOptions withH2c(boolean enabled) {
    return new GatewayOptions(
        bind,
        port,
        eventLoops,
        limits,
        upstream,
        trustedProxies,
        accessLogJson,
        markers,
        drainTimeout,
        egress,
        publicUrl,
        enabled);
  }

  public static GatewayOptions defaults() {
    return new GatewayOptions(
        "0.0.0.0",
        9000,
        Runtime.getRuntime().availableProcessors(),
        Limits.DEFAULT,
        Upstream.DEFAULT,
        List.of(),
        false,
        Markers.DEFAULT,
        Duration.ofSeconds(10),
        EgressPolicy.DEFAULT,
        null,
        false);
  }

  public GatewayOptions withListen(String newBind, int newPort) {
    return new GatewayOptions(
        newBind,
        newPort,
        eventLoops,
        limits,
        upstream,
        trustedProxies,
        accessLogJson,
        markers,
        drainTimeout,
        egress,
        publicUrl,
        h2c);
  }

  public GatewayOptions withEventLoops(int n) {
    return new GatewayOptions(
        bind,
        port,
        n,
        limits,
        upstream,
        trustedProxies,
        accessLogJson,
        markers,
        drainTimeout,
        egress,
        publicUrl,
        h2c);
  }

  public GatewayOptions withLimits(Limits newLimits) {
    return new GatewayOptions(
        bind,
        port,
        eventLoops,
        newLimits,
        upstream,
        trustedProxies,
        accessLogJson,
        markers,
        drainTimeout,
        egress,
        publicUrl,
        h2c);
  }

  public GatewayOptions withUpstream(Upstream newUpstream) {
    return new GatewayOptions(
        bind,
        port,
        eventLoops,
        limits,
        newUpstream,
        trustedProxies,
        accessLogJson,
        markers,
        drainTimeout,
        egress,
        publicUrl,
        h2c);
  }

  public GatewayOptions withTrustedProxies(List<String> cidrs) {
    return new GatewayOptions(
        bind,
        port,
        eventLoops,
        limits,
        upstream,
        cidrs,
        accessLogJson,
        markers,
        drainTimeout,
        egress,
        publicUrl,
        h2c);
  }

  public GatewayOptions withAccessLogJson(boolean json) {
    return new GatewayOptions(
        bind,
        port,
        eventLoops,
        limits,
        upstream,
        trustedProxies,
        json,
        markers,
        drainTimeout,
        egress,
        publicUrl,
        h2c);
  }

  public GatewayOptions withMarkers(Markers newMarkers) {
    return new GatewayOptions(
        bind,
        port,
        eventLoops,
        limits,
        upstream,
        trustedProxies,
        accessLogJson,
        newMarkers,
        drainTimeout,
        egress,
        publicUrl,
        h2c);
  }

  public GatewayOptions withDrainTimeout(Duration timeout) {
    return new GatewayOptions(
        bind,
        port,
        eventLoops,
        limits,
        upstream,
        trustedProxies,
        accessLogJson,
        markers,
        timeout,
        egress,
        publicUrl,
        h2c);
  }
}
