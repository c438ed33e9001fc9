package dev.crossgate.traffic;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reads a gateway node's meters ({@code crossgate_requests} by route and status class, the {@code
 * crossgate_request_duration} histogram) and answers what each route did since the previous read:
 * the one reader of the node's traffic, for the control plane's traffic view of the node in its own
 * process and for the traffic a cluster node reports on its heartbeat. The node diffs its own
 * cumulative counters, so a report is small (the busiest routes of one interval) and a heartbeat
 * that is lost loses only its interval.
 *
 * <p>Threads: {@link #next} is synchronized and reads every route's meters (tens of milliseconds
 * with 10,000 routes): call it on a worker, never on the event loop or the request path.
 */
public final class TrafficDeltas {
  /** The gateway's meter names (GatewayMetrics): DashboardIT checks them on a real standalone. */
  public static final String REQUESTS = "crossgate_requests";

  public static final String DURATION = "crossgate_request_duration";
  private static final String SERVER_ERRORS = "5xx";

  private final Supplier<? extends MeterRegistry> registry;
  private Map<String, RouteTraffic> previous = Map.of();

  /**
   * @param registry the node's meters; a supplier of null while there is no node (nothing to read)
   */
  public TrafficDeltas(Supplier<? extends MeterRegistry> registry) {
    this.registry = registry;
  }

  /**
   * What every route with requests did since the previous call (since construction for the first),
   * busiest first, at most {@code maxRoutes}.
   */
  public synchronized List<RouteTraffic> next(int maxRoutes) {
    var meters = registry.get();
    var current = meters == null ? Map.<String, RouteTraffic>of() : totals(meters);
    var deltas = new ArrayList<RouteTraffic>();
    current.forEach(
        (route, total) -> {
          var before = previous.get(route);
          var delta = before == null ? total : total.minus(before);
          if (delta.requests() > 0) {
            deltas.add(delta);
          }
        });
    previous = current;
    deltas.sort(RouteTraffic.BUSIEST_FIRST);
    return List.copyOf(deltas.subList(0, Math.min(maxRoutes, deltas.size())));
  }

  private static Map<String, RouteTraffic> totals(MeterRegistry meters) {
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
      t.observations += timer.count();
      for (var c : timer.takeSnapshot().histogramCounts()) {
        t.buckets.merge(c.bucket(TimeUnit.SECONDS), (long) c.count(), Long::sum);
      }
    }
    var read = new HashMap<String, RouteTraffic>();
    totals.forEach(
        (route, t) ->
            read.put(
                route,
                new RouteTraffic(
                    route,
                    t.service,
                    t.version,
                    t.requests,
                    t.serverErrors,
                    t.observations,
                    t.buckets)));
    return read;
  }

  private static Totals totalsOf(Map<String, Totals> totals, Meter.Id id) {
    var route = id.getTag("route");
    // a route whose service or version changed has meters under both: the latest labels show
    var t = totals.computeIfAbsent(route == null ? "-" : route, r -> new Totals());
    t.service = id.getTag("service");
    t.version = id.getTag("version");
    return t;
  }

  /** A route's figures while its meters are being read. */
  private static final class Totals {
    String service;
    String version;
    long requests;
    long serverErrors;
    long observations;
    final TreeMap<Double, Long> buckets = new TreeMap<>();
  }
}
