package dev.crossgate.gateway.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's Prometheus meters: per route {@code crossgate_requests_total{route,status}},
 * {@code crossgate_request_duration_seconds{route}} (histogram), {@code crossgate_upstream_errors_total{route,kind}};
 * per node {@code crossgate_active_connections}. Meters are looked up through per-route caches,
 * not the registry, to keep the hot path free of meter-id allocation.
 */
public final class GatewayMetrics {
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final AtomicInteger activeConnections = new AtomicInteger();

  public GatewayMetrics() {
    registry.gauge("crossgate_active_connections", activeConnections);
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

  private final class RouteMeters {
    private final String route;
    private final Timer duration;
    private final ConcurrentHashMap<Integer, Counter> byStatus = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();

    RouteMeters(String route) {
      this.route = route;
      this.duration = Timer.builder("crossgate_request_duration")
          .description("time from request head to response end")
          .tag("route", route)
          // a fixed, short bucket list rather than the ~70 default ones: with 100,000 routes the
          // histogram is paid per route, in memory and in every scrape
          .serviceLevelObjectives(BUCKETS)
          .register(registry);
    }

    Counter requests(int status) {
      return byStatus.computeIfAbsent(status, s -> Counter.builder("crossgate_requests")
          .description("requests answered, by route and status")
          .tag("route", route).tag("status", Integer.toString(s)).register(registry));
    }

    Counter upstreamErrors(String kind) {
      return errors.computeIfAbsent(kind, k -> Counter.builder("crossgate_upstream_errors")
          .description("upstream failures: bad-gateway, gateway-timeout, upstream-busy, aborted")
          .tag("route", route).tag("kind", k).register(registry));
    }
  }
}
