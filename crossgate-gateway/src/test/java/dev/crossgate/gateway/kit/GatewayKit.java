package dev.crossgate.gateway.kit;

import dev.crossgate.auth.Secrets;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.extension.Extension;
import dev.crossgate.filter.FilterRule;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.gateway.extension.ExtensionOptions;
import dev.crossgate.json.Json;
import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteTable;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.tenant.TenantCertificate;
import dev.crossgate.tenant.TokenIssuer;
import dev.crossgate.tls.TestCertificates;
import dev.crossgate.upstream.Upstream;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * An embedded gateway in front of a {@link RecordingUpstream}, both on 127.0.0.1 with ephemeral
 * ports, with the configuration held in memory as the standalone node holds it (one reference
 * swapped whole). Keeps each test to its given / when / then.
 */
public final class GatewayKit implements AutoCloseable {
  public final Vertx vertx;
  public final RecordingUpstream upstream;
  private final AtomicReference<GatewayConfig> config = new AtomicReference<>(GatewayConfig.EMPTY);
  private final HttpClient client;
  private final GatewayServer gateway;
  private List<Route> routes = List.of();
  private List<FilterRule> filters = List.of();
  private List<Extension> extensions = List.of();
  private final Map<String, ApiKey> keys = new HashMap<>();
  private final java.util.Set<String> disabledTenants = new java.util.HashSet<>();
  private final Map<String, List<RateLimit>> tenantRateLimits = new HashMap<>();
  private final List<TenantCertificate> clientCertificates = new ArrayList<>();
  private List<Upstream> upstreams = List.of();
  private final Map<String, TokenIssuer> issuers = new java.util.LinkedHashMap<>();
  private long revision;

  private GatewayKit(
      GatewayOptions options,
      List<GatewayEndpoint> endpoints,
      VertxOptions vertxOptions,
      GatewayServices services) {
    this(options, (v, c) -> endpoints, vertxOptions, services, "127.0.0.1");
  }

  private GatewayKit(
      GatewayOptions options,
      BiFunction<Vertx, Supplier<GatewayConfig>, List<GatewayEndpoint>> endpoints,
      VertxOptions vertxOptions,
      GatewayServices services) {
    this(options, endpoints, vertxOptions, services, "127.0.0.1");
  }

  private GatewayKit(
      GatewayOptions options,
      BiFunction<Vertx, Supplier<GatewayConfig>, List<GatewayEndpoint>> endpoints,
      VertxOptions vertxOptions,
      GatewayServices services,
      String bind) {
    vertx = Vertx.vertx(vertxOptions);
    upstream = RecordingUpstream.start(vertx);
    gateway =
        await(
            GatewayServer.start(
                vertx,
                options.withListen(bind, 0),
                config::get,
                endpoints.apply(vertx, config::get),
                services));
    client =
        vertx.createHttpClient(
            new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.port()),
            new PoolOptions().setHttp1MaxSize(16));
  }

  public static GatewayKit start() {
    return start(GatewayOptions.defaults().withEventLoops(1));
  }

  public static GatewayKit start(GatewayOptions options) {
    return new GatewayKit(options, List.of(), new VertxOptions(), GatewayServices.NONE);
  }

  /** A gateway with services (a task store). */
  public static GatewayKit start(GatewayOptions options, GatewayServices services) {
    return new GatewayKit(options, List.of(), new VertxOptions(), services);
  }

  public static GatewayKit start(GatewayOptions options, List<GatewayEndpoint> endpoints) {
    return new GatewayKit(options, endpoints, new VertxOptions(), GatewayServices.NONE);
  }

  /**
   * A gateway with services and built-in endpoints that need the kit's Vert.x instance and its
   * configuration (a transfer endpoint, say); the kit does not close those endpoints.
   */
  public static GatewayKit start(
      GatewayOptions options,
      GatewayServices services,
      BiFunction<Vertx, Supplier<GatewayConfig>, List<GatewayEndpoint>> endpoints) {
    return new GatewayKit(options, endpoints, new VertxOptions(), services);
  }

  /**
   * The general kit: Vert.x built from {@code vertxOptions} (DNS servers, say), built-in endpoints
   * made with the kit's Vert.x and configuration, and the node bound to {@code bind} (port 0) —
   * {@code 0.0.0.0} for a test of what a gateway bound beyond loopback does. The kit's client still
   * connects over 127.0.0.1.
   */
  public static GatewayKit start(
      GatewayOptions options,
      GatewayServices services,
      VertxOptions vertxOptions,
      String bind,
      BiFunction<Vertx, Supplier<GatewayConfig>, List<GatewayEndpoint>> endpoints) {
    return new GatewayKit(options, endpoints, vertxOptions, services, bind);
  }

  /** A kit whose Vert.x instance is built from {@code vertxOptions} (DNS servers, for instance). */
  public static GatewayKit start(GatewayOptions options, VertxOptions vertxOptions) {
    return new GatewayKit(options, List.of(), vertxOptions, GatewayServices.NONE);
  }

  /**
   * A gateway whose tenant extension servers listen on loopback: the egress policy admits 127.0.0.1
   * here on purpose (it is refused by default).
   */
  public static GatewayKit startWithLoopbackTenants() {
    return start(loopbackTenants());
  }

  /** As above, running tenant extensions with {@code extensions}. */
  public static GatewayKit startWithLoopbackTenants(ExtensionOptions extensions) {
    return start(loopbackTenants(), GatewayServices.NONE.withExtensions(extensions));
  }

  private static GatewayOptions loopbackTenants() {
    return GatewayOptions.defaults()
        .withEventLoops(1)
        .withEgress(dev.crossgate.egress.EgressPolicy.allowing("127.0.0.1/32"));
  }

  /** A gateway whose flows run tenant extensions with {@code options}. */
  public static GatewayKit start(ExtensionOptions options) {
    return new GatewayKit(
        GatewayOptions.defaults().withEventLoops(1),
        List.of(),
        new VertxOptions(),
        GatewayServices.NONE.withExtensions(options));
  }

  public GatewayServer gateway() {
    return gateway;
  }

  public int port() {
    return gateway.port();
  }

  /** The upstream's URL for {@code path}, for route targets. */
  public String target(String path) {
    return upstream.url(path);
  }

  public GatewayKit routes(Route... newRoutes) {
    routes = List.of(newRoutes);
    return publish();
  }

  public GatewayKit upstreams(Upstream... pools) {
    upstreams = List.of(pools);
    return publish();
  }

  public GatewayKit extensions(Extension... registered) {
    extensions = List.of(registered);
    return publish();
  }

  public GatewayKit filters(FilterRule... rules) {
    filters = List.of(rules);
    return publish();
  }

  /** Registers an API key for the tenant and returns the key to present. */
  public String apiKey(String tenant) {
    var key = "key-" + tenant + "-" + keys.size();
    var hash = Secrets.sha256Hex(key);
    keys.put(
        hash,
        new ApiKey("k" + keys.size(), tenant, null, hash, key.substring(0, 6), Instant.now()));
    publish();
    return key;
  }

  /** Registers a client certificate (by subject or SPKI SHA-256) to the tenant. */
  public GatewayKit clientCertificate(String tenant, TenantCertificate.Kind kind, String value) {
    clientCertificates.add(
        new TenantCertificate(
            "cert_" + clientCertificates.size(), tenant, kind, value, Instant.now()));
    return publish();
  }

  /** Registers (or replaces, by tenant and name) a token issuer. */
  public GatewayKit issuer(TokenIssuer issuer) {
    issuers.put(issuer.id(), issuer);
    return publish();
  }

  /** Switches a tenant off (its keys are then refused) or on again. */
  public GatewayKit tenantEnabled(String tenant, boolean enabled) {
    if (enabled) {
      disabledTenants.remove(tenant);
    } else {
      disabledTenants.add(tenant);
    }
    return publish();
  }

  /** Gives a tenant rate-limit policies that apply to every route it calls. */
  public GatewayKit tenantRateLimits(String tenant, RateLimit... policies) {
    tenantRateLimits.put(tenant, List.of(policies));
    return publish();
  }

  private GatewayKit publish() {
    revision++;
    config.set(
        new GatewayConfig(
            revision,
            RouteTable.of(routes, revision),
            filters,
            keys,
            extensions,
            disabledTenants,
            clientCertificates,
            upstreams,
            issuers.values(),
            tenantRateLimits));
    return this;
  }

  public static FilterRule filter(String id, FilterRule.Kind kind, String value) {
    return filter(id, kind, value, null, 403, null);
  }

  public static FilterRule filter(
      String id, FilterRule.Kind kind, String value, String header, int status, String message) {
    return rule(id, kind, value, header, status, message, FilterRule.Scope.GLOBAL, null);
  }

  /** A rule that applies to the requests of {@code scope} {@code target} only. */
  public static FilterRule filter(
      String id, FilterRule.Kind kind, String value, FilterRule.Scope scope, String target) {
    int status = kind == FilterRule.Kind.BODY_SIZE ? 413 : 403;
    return rule(id, kind, value, null, status, null, scope, target);
  }

  private static FilterRule rule(
      String id,
      FilterRule.Kind kind,
      String value,
      String header,
      int status,
      String message,
      FilterRule.Scope scope,
      String target) {
    return new FilterRule(
        id,
        id,
        100,
        kind,
        value,
        header,
        status,
        message,
        true,
        "test",
        Instant.now(),
        1,
        scope,
        target);
  }

  // ---- requests

  /** A response read whole (tests only send small ones this way). */
  public record Reply(int status, MultiMap headers, String body) {
    public Map<String, Object> json() {
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = Json.mapper().readValue(body, Map.class);
        return map;
      } catch (java.io.IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    /** The last segment of the problem's {@code type}. */
    public String problemType() {
      var type = String.valueOf(json().get("type"));
      return type.substring(type.lastIndexOf('/') + 1);
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  public Reply get(String uri, String... headerPairs) {
    return send(HttpMethod.GET, uri, null, headerPairs);
  }

  public Reply send(HttpMethod method, String uri, String body, String... headerPairs) {
    return send(client, method, uri, body, headerPairs);
  }

  /** As {@link #send(HttpMethod, String, String, String...)} with a binary body (null for none). */
  public Reply sendBytes(HttpMethod method, String uri, Buffer body, String... headerPairs) {
    return exchange(client, method, uri, body, headerPairs);
  }

  /**
   * As {@link #send(HttpMethod, String, String, String...)}, through {@code via} (an HTTPS client,
   * say).
   */
  public Reply send(
      HttpClient via, HttpMethod method, String uri, String body, String... headerPairs) {
    return exchange(via, method, uri, body == null ? null : Buffer.buffer(body), headerPairs);
  }

  private Reply exchange(
      HttpClient via, HttpMethod method, String uri, Buffer body, String... headerPairs) {
    var options = new RequestOptions().setMethod(method).setURI(uri);
    for (int i = 0; i < headerPairs.length; i += 2) {
      options.addHeader(headerPairs[i], headerPairs[i + 1]);
    }
    // The whole exchange runs on one event loop. Chained from the test thread, a reused connection
    // can deliver the response and its end before the body is asked for, and the body is lost.
    var reply = io.vertx.core.Promise.<Reply>promise();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                via.request(options)
                    .compose(req -> body == null ? req.send() : req.send(body))
                    .compose(
                        resp ->
                            resp.body()
                                .map(
                                    b ->
                                        new Reply(
                                            resp.statusCode(),
                                            MultiMap.caseInsensitiveMultiMap()
                                                .addAll(resp.headers()),
                                            b.toString())))
                    .onComplete(reply));
    return await(reply.future());
  }

  /**
   * Sends raw bytes on a fresh connection and returns what came back until the server closed or 2 s
   * passed.
   */
  public String raw(String request) {
    var net = vertx.createNetClient();
    var out = Buffer.buffer();
    var done = io.vertx.core.Promise.<String>promise();
    net.connect(port(), "127.0.0.1")
        .onComplete(
            ar -> {
              if (ar.failed()) {
                done.fail(ar.cause());
                return;
              }
              var socket = ar.result();
              socket.handler(out::appendBuffer);
              socket.closeHandler(v -> done.tryComplete(out.toString()));
              socket.write(request);
              vertx.setTimer(
                  2_000,
                  t -> {
                    done.tryComplete(out.toString());
                    socket.close();
                  });
            });
    try {
      return await(done.future());
    } finally {
      net.close();
    }
  }

  /** A loopback port nothing listens on (bound, then released): connecting to it is refused. */
  public static int closedPort() {
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A client of the node's HTTPS port (127.0.0.1, so the server certificate must name that IP) that
   * trusts {@code caPem} only and presents {@code clientCertificate} when asked (none when null).
   */
  public HttpClient httpsClient(
      String caPem, TestCertificates.Issued clientCertificate, HttpVersion version) {
    var options =
        new HttpClientOptions()
            .setSsl(true)
            .setUseAlpn(true)
            .setProtocolVersion(version)
            .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caPem)))
            .setDefaultHost("127.0.0.1")
            .setDefaultPort(gateway.tlsPort());
    if (clientCertificate != null) {
      options.setKeyCertOptions(
          new PemKeyCertOptions()
              .setCertValue(Buffer.buffer(clientCertificate.certPem()))
              .setKeyValue(Buffer.buffer(clientCertificate.keyPem())));
    }
    return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(1));
  }

  public HttpClient client() {
    return client;
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  public static List<String> lines(String text) {
    return new ArrayList<>(List.of(text.split("\r\n")));
  }

  @Override
  public void close() {
    await(gateway.close());
    upstream.close();
    await(vertx.close());
  }
}
