package dev.crossgate.traffic;

import java.util.Collections;
import java.util.Comparator;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one route of one gateway node did: requests answered, those with a 5xx status, and the
 * {@code crossgate_request_duration} histogram — either cumulative (as read from the node's meters)
 * or over an interval (the difference of two reads). A cluster node sends the interval figures of
 * its busiest routes on every heartbeat; the control plane adds them up across nodes ({@link
 * #plus}) and computes the p99 from the summed buckets, which is why buckets travel rather than a
 * node's own p99 (percentiles do not add).
 *
 * @param buckets upper bound in seconds → count of observations at or below it (cumulative over the
 *     bounds, as Prometheus histograms are)
 * @param observations observations of the duration histogram (the {@code +Inf} bucket)
 */
public record RouteTraffic(
    String route,
    String service,
    String version,
    long requests,
    long serverErrors,
    long observations,
    SortedMap<Double, Long> buckets) {
  /** More bounds than any histogram of the gateway has; a report with more is refused. */
  public static final int MAX_BUCKETS = 64;

  /** Most requests first; ties by route id, so a cut-off list is the same on every read. */
  public static final Comparator<RouteTraffic> BUSIEST_FIRST =
      Comparator.comparingLong(RouteTraffic::requests)
          .reversed()
          .thenComparing(RouteTraffic::route);

  public RouteTraffic {
    if (route == null || route.isEmpty()) {
      throw new IllegalArgumentException("route is required");
    }
    if (requests < 0 || serverErrors < 0 || observations < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
    buckets = buckets == null ? new TreeMap<>() : new TreeMap<>(buckets);
    if (buckets.size() > MAX_BUCKETS) {
      throw new IllegalArgumentException("at most " + MAX_BUCKETS + " buckets");
    }
    buckets = Collections.unmodifiableSortedMap(buckets);
  }

  /** The sum of this and {@code other} (the same route on another node or in another interval). */
  public RouteTraffic plus(RouteTraffic other) {
    var sum = new TreeMap<>(buckets);
    other.buckets.forEach((le, n) -> sum.merge(le, n, Long::sum));
    // the latest labels show: a route whose service or version changed
    return new RouteTraffic(
        route,
        other.service,
        other.version,
        requests + other.requests,
        serverErrors + other.serverErrors,
        observations + other.observations,
        sum);
  }

  /**
   * What happened since {@code before}, an earlier read of the same route's cumulative figures. A
   * count lower than before means the meters were replaced (a restarted node): everything counts
   * from zero again.
   */
  public RouteTraffic minus(RouteTraffic before) {
    boolean reset = requests < before.requests || observations < before.observations;
    if (reset) {
      return this;
    }
    var d = new TreeMap<Double, Long>();
    buckets.forEach((le, n) -> d.put(le, Math.max(0, n - before.buckets.getOrDefault(le, 0L))));
    return new RouteTraffic(
        route,
        service,
        version,
        requests - before.requests,
        Math.max(0, serverErrors - before.serverErrors),
        observations - before.observations,
        d);
  }

  /**
   * The 99th percentile in seconds as Prometheus's histogram_quantile computes it: linear
   * interpolation within the bucket holding the rank; the highest finite bound when the rank lies
   * beyond it. Null without observations.
   */
  public Double p99() {
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
