package dev.crossgate.gateway.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's Prometheus meters: per route {@code crossgate_requests_total{route,status}}, {@code
 * crossgate_request_duration_seconds{route}} (histogram), {@code
 * crossgate_upstream_errors_total{route,kind}}, {@code crossgate_client_aborts_total{route}}
 * (clients that closed before their response was complete); per node {@code
 * crossgate_active_connections} and {@code crossgate_access_log_dropped_total}. Meters are looked
 * up through per-route caches, not the registry, to keep the hot path free of meter-id allocation.
 * Also owns the node's {@link AccessLogWriter} thread; {@link #close()} stops it.
 */
public final class GatewayMetrics implements AutoCloseable {
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final AtomicInteger activeConnections = new AtomicInteger();

  private AccessLogWriter accessLogWriter;

  public GatewayMetrics() {
    registry.gauge("crossgate_active_connections", activeConnections);
  }

  /** The node's one access-log writer, started on first use. */
  synchronized AccessLogWriter accessLogWriter() {
    if (accessLogWriter == null) {
      var writer = new AccessLogWriter(AccessLogWriter.DEFAULT_CAPACITY, AccessLog.LOG::info);
      io.micrometer.core.instrument.FunctionCounter.builder(
              "crossgate_access_log_dropped", writer, AccessLogWriter::dropped)
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

  void record(String routeId, int status, long durationNanos, String upstreamErrorKind) {
    var meters = routes.computeIfAbsent(routeId, RouteMeters::new);
    meters.requests(status).increment();
    meters.duration.record(durationNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    if (upstreamErrorKind != null) {
      meters.upstreamErrors(upstreamErrorKind).increment();
    }
  }

  void clientAborted(String routeId) {
    routes.computeIfAbsent(routeId, RouteMeters::new).clientAborts().increment();
  }

  private record StatusCounter(int status, Counter counter) {}

  private final class RouteMeters {
    private final String route;
    private final Timer duration;
    private Counter clientAborts;
    private volatile StatusCounter lastStatus;
    private final ConcurrentHashMap<Integer, Counter> byStatus = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();

    RouteMeters(String route) {
      this.route = route;
      this.duration =
          Timer.builder("crossgate_request_duration")
              .description("time from request head to response end")
              .tag("route", route)
              // a fixed, short bucket list rather than the ~70 default ones: with 100,000 routes
              // the
              // histogram is paid per route, in memory and in every scrape
              .serviceLevelObjectives(BUCKETS)
              .register(registry);
    }

    Counter requests(int status) {
      // nearly every request of a route has the status of the one before: no boxing, no map lookup
      var last = lastStatus;
      if (last != null && last.status == status) {
        return last.counter;
      }
      var counter =
          byStatus.computeIfAbsent(
              status,
              s ->
                  Counter.builder("crossgate_requests")
                      .description("requests answered, by route and status")
                      .tag("route", route)
                      .tag("status", Integer.toString(s))
                      .register(registry));
      lastStatus = new StatusCounter(status, counter);
      return counter;
    }

    synchronized Counter clientAborts() {
      if (clientAborts == null) {
        clientAborts =
            Counter.builder("crossgate_client_aborts")
                .description("responses abandoned because the client closed its connection first")
                .tag("route", route)
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
                  .tag("route", route)
                  .tag("kind", k)
                  .register(registry));
    }
  }
}
