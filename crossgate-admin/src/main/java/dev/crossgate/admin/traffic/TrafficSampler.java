package dev.crossgate.admin.traffic;

import dev.crossgate.traffic.RouteTraffic;
import dev.crossgate.traffic.TrafficDeltas;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The console's traffic view: a bounded ring of per-route deltas, one sample per interval, holding
 * what the gateway node in this process did (its meters, read by {@link TrafficDeltas} on the
 * timer) and what every cluster node connected to this control plane reported on its heartbeats
 * during the interval ({@link #report}). In memory only: a restarted control plane starts an empty
 * window, and each control-plane instance holds the nodes whose streams it holds.
 *
 * <p>Memory is bounded by {@code capacity} samples of at most {@code maxRoutes} routes per node
 * (the busiest ones of each interval). Threads: {@link #sample()}, {@link #report} and {@link
 * #window} are synchronized; {@link #sample()} reads every route's meters (35–140 ms for 10,000
 * routes here), so the caller runs it on a worker, never on the event loop.
 */
public final class TrafficSampler {
  private final Supplier<? extends MeterRegistry> registry;
  private final TrafficDeltas local;
  private final Clock clock;
  private final int capacity;
  private final int maxRoutes;
  private final ArrayDeque<Sample> ring = new ArrayDeque<>();

  /** Reported by each cluster node since the last sample, by node id and route. */
  private final Map<String, Map<String, RouteTraffic>> pending = new LinkedHashMap<>();

  private Instant previousAt;

  /**
   * @param registry the in-process node's registry, or a supplier of null while this process runs
   *     no node (a control plane of a cluster: its nodes report on their heartbeats)
   * @param capacity samples kept; older ones are dropped
   * @param maxRoutes routes kept per node and sample, busiest first
   */
  public TrafficSampler(
      Supplier<? extends MeterRegistry> registry, Clock clock, int capacity, int maxRoutes) {
    if (capacity < 1 || maxRoutes < 1) {
      throw new IllegalArgumentException("capacity and maxRoutes must be positive");
    }
    this.registry = registry;
    this.local = new TrafficDeltas(registry);
    this.clock = clock;
    this.capacity = capacity;
    this.maxRoutes = maxRoutes;
    this.previousAt = clock.instant();
    // the first sample counts everything since now: requests before it are not lost
  }

  /**
   * One interval, from the previous sample to {@code at}: the in-process node's routes ({@code
   * local}) and each cluster node's, by node id.
   */
  public record Sample(
      Instant at, double seconds, List<RouteTraffic> local, Map<String, List<RouteTraffic>> nodes) {
    public Sample {
      local = List.copyOf(local);
      nodes = Map.copyOf(nodes);
    }

    /** Every route of the sample summed over the in-process node and all nodes, or one node's. */
    Map<String, RouteTraffic> routes(String node) {
      var merged = new HashMap<String, RouteTraffic>();
      if (node == null) {
        local.forEach(r -> merged.merge(r.route(), r, RouteTraffic::plus));
        nodes.values().forEach(l -> l.forEach(r -> merged.merge(r.route(), r, RouteTraffic::plus)));
      } else {
        nodes.getOrDefault(node, List.of()).forEach(r -> merged.put(r.route(), r));
      }
      return merged;
    }
  }

  /** Whether this process runs a gateway node whose meters can be sampled. */
  public boolean hasSource() {
    return registry.get() != null;
  }

  /**
   * Adds what cluster node {@code nodeId} reported on a heartbeat to the current interval. A node
   * that reports more often than the sampler samples has its reports summed; routes beyond four
   * times the route cap in one interval are dropped rather than kept.
   */
  public synchronized void report(String nodeId, List<RouteTraffic> routes) {
    if (routes.isEmpty()) {
      return;
    }
    var byRoute = pending.computeIfAbsent(nodeId, k -> new HashMap<>());
    for (var r : routes) {
      if (byRoute.containsKey(r.route()) || byRoute.size() < 4 * maxRoutes) {
        byRoute.merge(r.route(), r, RouteTraffic::plus);
      }
    }
  }

  /** Reads the node's meters and appends the interval since the previous call to the ring. */
  public void sample() {
    sample(clock.instant());
  }

  /** {@link #sample()} as of {@code now}: tests space samples as the timer would. */
  public void sample(Instant now) {
    // the meters are read outside the lock: a slow read must not hold up heartbeats' reports
    var localRoutes = local.next(maxRoutes);
    synchronized (this) {
      double seconds = Math.max(0.001, Duration.between(previousAt, now).toNanos() / 1e9);
      var nodes = new HashMap<String, List<RouteTraffic>>();
      pending.forEach((node, byRoute) -> nodes.put(node, busiest(byRoute.values())));
      pending.clear();
      ring.addLast(new Sample(now, seconds, localRoutes, nodes));
      while (ring.size() > capacity) {
        ring.removeFirst();
      }
      previousAt = now;
    }
  }

  /** The samples taken within {@code window} of now, oldest first. */
  public synchronized List<Sample> window(Duration window) {
    var since = clock.instant().minus(window);
    return ring.stream().filter(s -> !s.at().isBefore(since)).toList();
  }

  private List<RouteTraffic> busiest(java.util.Collection<RouteTraffic> routes) {
    return routes.stream().sorted(RouteTraffic.BUSIEST_FIRST).limit(maxRoutes).toList();
  }
}
