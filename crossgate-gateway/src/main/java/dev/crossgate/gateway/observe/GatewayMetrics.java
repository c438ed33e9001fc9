package dev.crossgate.gateway.observe;

import dev.crossgate.route.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The node's Prometheus meters (the README's metrics table lists them). Per route, labelled {@code
 * route} (its id), {@code service} and {@code version}: {@code crossgate_requests_total} (also by
 * {@code method} and {@code status} class), {@code crossgate_request_duration_seconds} (request
 * head to response end), {@code crossgate_upstream_duration_seconds} (by {@code upstream}: request
 * sent to the upstream's response head), {@code crossgate_request_bytes_total}, {@code
 * crossgate_response_bytes_total}, {@code crossgate_upstream_errors_total{kind}}, {@code
 * crossgate_client_aborts_total}; per node {@code crossgate_active_connections} and {@code
 * crossgate_access_log_dropped_total}.
 *
 * <p>Every label is bounded by configuration, never by what a caller sends: methods outside the
 * standard nine count as {@code OTHER}, statuses as their class ({@code 2xx}), requests that
 * matched no route under {@code route="-"}. Meters are looked up through per-route arrays, not the
 * registry, to keep the hot path free of meter-id allocation. Also owns the node's {@link
 * AccessLogWriter} thread; {@link #close()} stops it.
 */
public final class GatewayMetrics implements AutoCloseable {
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)
  };

  private static final HttpMethod[] METHODS = {
    HttpMethod.GET,
    HttpMethod.HEAD,
    HttpMethod.POST,
    HttpMethod.PUT,
    HttpMethod.DELETE,
    HttpMethod.PATCH,
    HttpMethod.OPTIONS,
    HttpMethod.TRACE,
    HttpMethod.CONNECT
  };
  private static final String OTHER_METHOD = "OTHER";
  private static final String[] STATUS_CLASSES = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
  private static final String NONE = "-";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final AtomicInteger activeConnections = new AtomicInteger();
  private final ConcurrentHashMap<String, Counter> problems = new ConcurrentHashMap<>();

  private AccessLogWriter accessLogWriter;

  public GatewayMetrics() {
    Gauge.builder("crossgate_active_connections", activeConnections, AtomicInteger::get)
        .description("client connections open on the gateway ports")
        .register(registry);
  }

  /**
   * Counts an answer the gateway gave itself, by its problem type ({@code filtered}, {@code
   * too-many-requests}, {@code unauthorized}, {@code not-found}…): a fixed set, so the label stays
   * bounded. Runs on the event loop.
   */
  void problem(String type) {
    problems
        .computeIfAbsent(
            type,
            t ->
                Counter.builder("crossgate_problems")
                    .description(
                        "answers the gateway gave itself instead of the upstream's, by problem type"
                            + " (filter rules, rate limits, authentication, routing, limits)")
                    .tag("type", t)
                    .register(registry))
        .increment();
  }

  /** The node's one access-log writer, started on first use. */
  synchronized AccessLogWriter accessLogWriter() {
    if (accessLogWriter == null) {
      var writer = new AccessLogWriter(AccessLogWriter.DEFAULT_CAPACITY, AccessLog::write);
      FunctionCounter.builder("crossgate_access_log_dropped", writer, AccessLogWriter::dropped)
          .description("access-log lines dropped because the log destination could not keep up")
          .register(registry);
      accessLogWriter = writer;
    }
    return accessLogWriter;
  }

  /** Writes the access-log lines still queued and stops the writer thread. */
  @Override
  public synchronized void close() {
    if (accessLogWriter != null) {
      accessLogWriter.close();
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void connectionOpened() {
    activeConnections.incrementAndGet();
  }

  public void connectionClosed() {
    activeConnections.decrementAndGet();
  }

  /**
   * Records one answered request. Runs on the event loop.
   *
   * @param route the matched route, or null
   * @param upstreamNanos request sent to the upstream's response head, or a negative number when no
   *     upstream answered
   * @param upstream the route's upstream pool, or null for a route with a single target URL
   */
  void record(
      Route route,
      HttpMethod method,
      int status,
      long durationNanos,
      long upstreamNanos,
      long bytesIn,
      long bytesOut,
      String upstreamErrorKind) {
    var meters = meters(route);
    meters.requests(method, status).increment();
    meters.duration.record(durationNanos, TimeUnit.NANOSECONDS);
    if (bytesIn > 0) {
      meters.bytesIn.increment(bytesIn);
    }
    if (bytesOut > 0) {
      meters.bytesOut.increment(bytesOut);
    }
    if (upstreamNanos >= 0) {
      meters.upstreamDuration().record(upstreamNanos, TimeUnit.NANOSECONDS);
    }
    if (upstreamErrorKind != null) {
      meters.upstreamErrors(upstreamErrorKind).increment();
    }
  }

  void clientAborted(Route route) {
    meters(route).clientAborts().increment();
  }

  private RouteMeters meters(Route route) {
    var id = route == null ? NONE : route.id();
    var meters = routes.get(id);
    if (meters != null && (route == null || meters.describes(route))) {
      return meters;
    }
    // first request of a route, or its service, version or upstream changed: labels follow
    return routes.compute(
        id,
        (k, old) ->
            old != null && (route == null || old.describes(route)) ? old : new RouteMeters(route));
  }

  private static int methodIndex(HttpMethod method) {
    for (int i = 0; i < METHODS.length; i++) {
      if (METHODS[i] == method) {
        return i;
      }
    }
    for (int i = 0; i < METHODS.length; i++) {
      if (METHODS[i].equals(method)) {
        return i;
      }
    }
    return METHODS.length;
  }

  private static int statusClass(int status) {
    int c = status / 100;
    return c >= 1 && c <= 5 ? c : 0;
  }

  private final class RouteMeters {
    private final String route;
    private final String service;
    private final String version;
    private final String upstream;
    private final Timer duration;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private volatile Timer upstreamDuration;
    private Route seen;
    private Counter clientAborts;

    /** Indexed by method (the nine standard ones, then OTHER) times status class. */
    private final AtomicReferenceArray<Counter> requests =
        new AtomicReferenceArray<>((METHODS.length + 1) * STATUS_CLASSES.length);

    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();

    RouteMeters(Route r) {
      this.route = r == null ? NONE : r.id();
      this.service = r == null || r.service() == null ? NONE : r.service();
      this.version = r == null || r.version() == null ? NONE : r.version();
      this.upstream = r == null || r.upstream() == null ? NONE : r.upstream();
      this.duration =
          Timer.builder("crossgate_request_duration")
              .description("time from request head to response end, by route")
              .tags("route", route, "service", service, "version", version)
              // a fixed, short bucket list rather than the ~70 default ones: with 100,000 routes
              // the histogram is paid per route, in memory and in every scrape
              .serviceLevelObjectives(BUCKETS)
              .register(registry);
      this.bytesIn =
          Counter.builder("crossgate_request_bytes")
              .description("request body bytes read from clients, by route")
              .baseUnit("bytes")
              .tags("route", route, "service", service, "version", version)
              .register(registry);
      this.bytesOut =
          Counter.builder("crossgate_response_bytes")
              .description("response bytes written to clients, by route")
              .baseUnit("bytes")
              .tags("route", route, "service", service, "version", version)
              .register(registry);
    }

    boolean describes(Route r) {
      if (r == seen) {
        return true; // the same route object as the last request: no label comparison
      }
      boolean same =
          java.util.Objects.equals(service, r.service() == null ? NONE : r.service())
              && java.util.Objects.equals(version, r.version() == null ? NONE : r.version())
              && java.util.Objects.equals(upstream, r.upstream() == null ? NONE : r.upstream());
      if (same) {
        seen = r; // a racy write of an immutable reference: at worst compared again
      }
      return same;
    }

    Counter requests(HttpMethod method, int status) {
      int m = methodIndex(method);
      int index = m * STATUS_CLASSES.length + statusClass(status);
      var counter = requests.get(index);
      if (counter == null) {
        // the registry returns the same counter to a racing second registration
        counter =
            Counter.builder("crossgate_requests")
                .description("requests answered, by route, method and status class")
                .tags("route", route, "service", service, "version", version)
                .tag("method", m < METHODS.length ? METHODS[m].name() : OTHER_METHOD)
                .tag("status", STATUS_CLASSES[statusClass(status)])
                .register(registry);
        requests.set(index, counter);
      }
      return counter;
    }

    Timer upstreamDuration() {
      var timer = upstreamDuration;
      if (timer == null) {
        timer =
            Timer.builder("crossgate_upstream_duration")
                .description(
                    "time from sending the request upstream to the upstream's response head, by"
                        + " route and upstream pool (- for a route's own target URL)")
                .tags("route", route, "service", service, "version", version)
                .tag("upstream", upstream)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        upstreamDuration = timer;
      }
      return timer;
    }

    synchronized Counter clientAborts() {
      if (clientAborts == null) {
        clientAborts =
            Counter.builder("crossgate_client_aborts")
                .description("responses abandoned because the client closed its connection first")
                .tags("route", route, "service", service, "version", version)
                .register(registry);
      }
      return clientAborts;
    }

    Counter upstreamErrors(String kind) {
      return errors.computeIfAbsent(
          kind,
          k ->
              Counter.builder("crossgate_upstream_errors")
                  .description(
                      "upstream failures: bad-gateway, gateway-timeout, upstream-busy, aborted")
                  .tags("route", route, "service", service, "version", version)
                  .tag("upstream", upstream)
                  .tag("kind", k)
                  .register(registry));
    }
  }
}
