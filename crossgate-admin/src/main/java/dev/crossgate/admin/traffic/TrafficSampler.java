package dev.crossgate.admin.traffic;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Samples the in-process gateway node's meters ({@code crossgate_requests} by route and status
 * class, {@code crossgate_request_duration} histogram) into a bounded ring of per-route deltas: the
 * console's traffic view. Reads the registry on a timer only, never on the request path. Memory is
 * bounded by {@code capacity} samples of at most {@code maxRoutes} routes each (the busiest ones of
 * each interval). Threads: {@link #sample()} and {@link #window} are synchronized; the caller runs
 * them off the event loop (a sample of 10,000 routes' meters took 35–140 ms here, on a worker).
 */
public final class TrafficSampler {
  /**
   * The gateway's meter names (GatewayMetrics, another module): DashboardIT fails if a real
   * standalone's traffic view stays empty after requests.
   */
  static final String REQUESTS = "crossgate_requests";

  static final String DURATION = "crossgate_request_duration";
  private static final String SERVER_ERRORS = "5xx";

  private final Supplier<? extends MeterRegistry> registry;
  private final Clock clock;
  private final int capacity;
  private final int maxRoutes;
  private final ArrayDeque<Sample> ring = new ArrayDeque<>();
  private Map<String, Totals> previous = Map.of();
  private Instant previousAt;

  /**
   * @param registry the node's registry, or a supplier of null while this process runs no node (a
   *     control plane in cluster mode: its nodes' traffic is on their own /metrics)
   * @param capacity samples kept; older ones are dropped
   * @param maxRoutes routes kept per sample, busiest first
   */
  public TrafficSampler(
      Supplier<? extends MeterRegistry> registry, Clock clock, int capacity, int maxRoutes) {
    if (capacity < 1 || maxRoutes < 1) {
      throw new IllegalArgumentException("capacity and maxRoutes must be positive");
    }
    this.registry = registry;
    this.clock = clock;
    this.capacity = capacity;
    this.maxRoutes = maxRoutes;
    // the first sample counts everything since now: requests before it are not lost
    this.previousAt = clock.instant();
  }

  /** What one route did during one sampling interval. */
  public record RouteDelta(
      String route, String service, String version, long requests, long serverErrors, Double p99) {}

  /** One interval: from the previous sample to {@code at}. */
  public record Sample(Instant at, double seconds, List<RouteDelta> routes) {
    public Sample {
      routes = List.copyOf(routes);
    }
  }

  /** Whether this process runs a gateway node whose meters can be sampled. */
  public boolean hasSource() {
    return registry.get() != null;
  }

  /** Reads the registry and appends the interval since the previous call to the ring. */
  public void sample() {
    sample(clock.instant());
  }

  /** {@link #sample()} as of {@code now}: tests space samples as the timer would. */
  public synchronized void sample(Instant now) {
    var meters = registry.get();
    var current = meters == null ? Map.<String, Totals>of() : totals(meters);
    double seconds = Math.max(0.001, Duration.between(previousAt, now).toNanos() / 1e9);
    var deltas = new ArrayList<RouteDelta>();
    current.forEach(
        (route, total) -> {
          var before = previous.get(route);
          var delta = before == null ? total : total.minus(before);
          if (delta.requests > 0) {
            deltas.add(
                new RouteDelta(
                    route,
                    total.service,
                    total.version,
                    delta.requests,
                    delta.serverErrors,
                    delta.p99()));
          }
        });
    deltas.sort(Comparator.comparingLong(RouteDelta::requests).reversed());
    ring.addLast(new Sample(now, seconds, deltas.subList(0, Math.min(maxRoutes, deltas.size()))));
    while (ring.size() > capacity) {
      ring.removeFirst();
    }
    previous = current;
    previousAt = now;
  }

  /** The samples taken within {@code window} of now, oldest first. */
  public synchronized List<Sample> window(Duration window) {
    var since = clock.instant().minus(window);
    return ring.stream().filter(s -> !s.at().isBefore(since)).toList();
  }

  private static Map<String, Totals> totals(MeterRegistry meters) {
    var totals = new HashMap<String, Totals>();
    for (Counter c : meters.find(REQUESTS).counters()) {
      var t = totalsOf(totals, c.getId());
      long n = (long) c.count();
      t.requests += n;
      if (SERVER_ERRORS.equals(c.getId().getTag("status"))) {
        t.serverErrors += n;
      }
    }
    for (Timer timer : meters.find(DURATION).timers()) {
      var t = totalsOf(totals, timer.getId());
      t.add(timer.count(), timer.takeSnapshot().histogramCounts());
    }
    return totals;
  }

  private static Totals totalsOf(
      Map<String, Totals> totals, io.micrometer.core.instrument.Meter.Id id) {
    var route = id.getTag("route");
    // a route whose service or version changed has meters under both: the latest labels show
    var t = totals.computeIfAbsent(route == null ? "-" : route, r -> new Totals());
    t.service = id.getTag("service");
    t.version = id.getTag("version");
    return t;
  }

  /** A route's cumulative figures; {@code buckets} maps an upper bound in seconds to a count. */
  private static final class Totals {
    String service;
    String version;
    long requests;
    long serverErrors;
    long observations;
    final java.util.TreeMap<Double, Double> buckets = new java.util.TreeMap<>();

    void add(long count, CountAtBucket[] counts) {
      observations += count;
      for (var c : counts) {
        buckets.merge(c.bucket(TimeUnit.SECONDS), c.count(), Double::sum);
      }
    }

    Totals minus(Totals before) {
      var d = new Totals();
      d.service = service;
      d.version = version;
      // a registry replaced by a restarted node counts from zero again
      boolean reset = requests < before.requests;
      d.requests = reset ? requests : requests - before.requests;
      d.serverErrors = reset ? serverErrors : Math.max(0, serverErrors - before.serverErrors);
      d.observations = reset ? observations : observations - before.observations;
      buckets.forEach(
          (le, n) -> d.buckets.put(le, reset ? n : n - before.buckets.getOrDefault(le, 0.0)));
      return d;
    }

    /**
     * The 99th percentile as Prometheus's histogram_quantile computes it: linear interpolation
     * within the bucket holding the rank; the highest finite bound when the rank lies beyond it.
     */
    Double p99() {
      if (buckets.isEmpty() || observations <= 0) {
        return null;
      }
      double rank = 0.99 * observations;
      double lower = 0;
      double below = 0;
      for (var b : buckets.entrySet()) {
        if (b.getValue() >= rank) {
          double inBucket = b.getValue() - below;
          return inBucket <= 0
              ? b.getKey()
              : lower + (b.getKey() - lower) * (rank - below) / inBucket;
        }
        lower = b.getKey();
        below = b.getValue();
      }
      return buckets.lastKey();
    }
  }
}
