package dev.crossgate.admin.traffic;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.traffic.RouteTraffic;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * {@code GET /admin/traffic?minutes=10&routes=10[&node=id]}: requests per second, 5xx share and p99
 * latency per route over the last minutes, from {@link TrafficSampler}'s ring — the busiest {@code
 * routes} routes, each with one point per sampling interval (zero when it had no traffic then),
 * summed over the gateway node in this process and every cluster node connected to this control
 * plane (or one node's, with {@code node}). The p99 comes from the summed histogram buckets.
 */
public final class TrafficEndpoint implements AdminEndpoint {
  /** The most routes one answer (and one node's sample) holds. */
  public static final int MAX_ROUTES = 50;

  private final TrafficSampler sampler;
  private final Duration interval;
  private final int maxMinutes;
  private final IntSupplier connectedNodes;
  private final Predicate<String> connectedHere;

  /**
   * @param connectedNodes how many cluster nodes hold a stream to this control plane
   * @param connectedHere whether a node's stream is held by this control plane
   */
  public TrafficEndpoint(
      TrafficSampler sampler,
      Duration interval,
      int maxMinutes,
      IntSupplier connectedNodes,
      Predicate<String> connectedHere) {
    this.sampler = sampler;
    this.interval = interval;
    this.maxMinutes = maxMinutes;
    this.connectedNodes = connectedNodes;
    this.connectedHere = connectedHere;
  }

  /**
   * The answer.
   *
   * @param nodes the nodes feeding it: the cluster nodes connected to this control plane, plus the
   *     node in this process
   * @param node the one node asked for, or null for all
   */
  public record Traffic(
      String source,
      String detail,
      int nodes,
      String node,
      long intervalSeconds,
      int minutes,
      List<Instant> samples,
      List<RouteSeries> routes) {}

  /** One route's points, one per entry of {@link Traffic#samples}. */
  public record RouteSeries(
      String route,
      String service,
      String version,
      long requests,
      long serverErrors,
      List<Double> requestsPerSecond,
      List<Double> errorRatio,
      List<Double> p99Seconds) {}

  @Override
  public void mount(Router router) {
    router
        .get("/admin/traffic")
        .handler(
            ctx -> {
              int minutes =
                  Replies.intParam(ctx, "minutes", Math.min(10, maxMinutes), 1, maxMinutes);
              int routes = Replies.intParam(ctx, "routes", 10, 1, MAX_ROUTES);
              var node = ctx.queryParams().get("node");
              Replies.blocking(ctx, 200, () -> answer(minutes, routes, node));
            });
  }

  Traffic answer(int minutes, int limit, String node) {
    var samples = sampler.window(Duration.ofMinutes(minutes));
    if (node != null
        && !connectedHere.test(node)
        && samples.stream().noneMatch(s -> s.nodes().containsKey(node))) {
      throw new ProblemException(
          Problem.notFound(
              "node "
                  + node
                  + " is not connected to this control plane and sent no traffic"
                  + " within the window"));
    }
    var perSample = samples.stream().map(s -> s.routes(node)).toList();
    var totals = new HashMap<String, Long>();
    var serverErrors = new HashMap<String, Long>();
    var labels = new HashMap<String, RouteTraffic>();
    for (var s : perSample) {
      s.values()
          .forEach(
              r -> {
                totals.merge(r.route(), r.requests(), Long::sum);
                serverErrors.merge(r.route(), r.serverErrors(), Long::sum);
                labels.put(r.route(), r);
              });
    }
    var busiest =
        totals.entrySet().stream()
            .sorted(
                Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                    .thenComparing(Map.Entry.comparingByKey()))
            .limit(limit)
            .map(Map.Entry::getKey)
            .toList();
    var routes = new ArrayList<RouteSeries>();
    for (var route : busiest) {
      var rps = new ArrayList<Double>();
      var errors = new ArrayList<Double>();
      var p99 = new ArrayList<Double>();
      for (int i = 0; i < samples.size(); i++) {
        var p = perSample.get(i).get(route);
        double seconds = samples.get(i).seconds();
        rps.add(p == null ? 0.0 : round(p.requests() / seconds));
        errors.add(p == null ? 0.0 : round((double) p.serverErrors() / p.requests()));
        var q = p == null ? null : p.p99();
        p99.add(q == null ? null : round(q));
      }
      var label = labels.get(route);
      routes.add(
          new RouteSeries(
              route,
              label.service(),
              label.version(),
              totals.get(route),
              serverErrors.get(route),
              rps,
              errors,
              p99));
    }
    boolean here = sampler.hasSource();
    int connected = connectedNodes.getAsInt();
    boolean cluster = !here || connected > 0;
    return new Traffic(
        cluster ? "cluster" : "this-process",
        detail(here, connected),
        connected + (here ? 1 : 0),
        node,
        interval.toSeconds(),
        minutes,
        samples.stream().map(TrafficSampler.Sample::at).toList(),
        routes);
  }

  private String detail(boolean here, int connected) {
    var every = " every " + interval.toSeconds() + " s";
    if (connected == 0) {
      return here
          ? "sampled from this process's gateway node" + every
          : "no node is connected to this control plane; each control plane shows the nodes"
              + " connected to it";
    }
    return "reported by the "
        + connected
        + " node(s) connected to this control plane on their heartbeats"
        + (here ? " and sampled from this process's gateway node" : "")
        + ", summed"
        + every
        + "; other control planes show the nodes connected to them";
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }
}
