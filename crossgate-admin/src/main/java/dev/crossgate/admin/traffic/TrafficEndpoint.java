package dev.crossgate.admin.traffic;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * {@code GET /admin/traffic?minutes=10&routes=10}: requests per second, 5xx share and p99 latency
 * per route over the last minutes, from {@link TrafficSampler}'s ring — the busiest {@code routes}
 * routes, each with one point per sampling interval (zero when it had no traffic then). A control
 * plane that runs no gateway node answers {@code source: "none"} and no routes: its nodes' traffic
 * is on their own {@code /metrics}.
 */
public final class TrafficEndpoint implements AdminEndpoint {
  /** The most routes one answer (and one sample) holds. */
  public static final int MAX_ROUTES = 50;

  private final TrafficSampler sampler;
  private final Duration interval;
  private final int maxMinutes;

  public TrafficEndpoint(TrafficSampler sampler, Duration interval, int maxMinutes) {
    this.sampler = sampler;
    this.interval = interval;
    this.maxMinutes = maxMinutes;
  }

  /** The answer. */
  public record Traffic(
      String source,
      String detail,
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
              Replies.blocking(ctx, 200, () -> answer(minutes, routes));
            });
  }

  Traffic answer(int minutes, int limit) {
    var samples = sampler.window(Duration.ofMinutes(minutes));
    var totals = new HashMap<String, Long>();
    var labels = new HashMap<String, TrafficSampler.RouteDelta>();
    for (var s : samples) {
      for (var r : s.routes()) {
        totals.merge(r.route(), r.requests(), Long::sum);
        labels.put(r.route(), r);
      }
    }
    var busiest =
        totals.entrySet().stream()
            .sorted(
                java.util.Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                    .thenComparing(java.util.Map.Entry.comparingByKey()))
            .limit(limit)
            .map(java.util.Map.Entry::getKey)
            .toList();
    var series = new LinkedHashMap<String, List<TrafficSampler.RouteDelta>>();
    busiest.forEach(r -> series.put(r, new ArrayList<>()));
    for (var s : samples) {
      var byRoute = new HashMap<String, TrafficSampler.RouteDelta>();
      s.routes().forEach(r -> byRoute.put(r.route(), r));
      series.forEach((route, points) -> points.add(byRoute.get(route)));
    }
    var routes = new ArrayList<RouteSeries>();
    series.forEach(
        (route, points) -> {
          var rps = new ArrayList<Double>();
          var errors = new ArrayList<Double>();
          var p99 = new ArrayList<Double>();
          for (int i = 0; i < points.size(); i++) {
            var p = points.get(i);
            double seconds = samples.get(i).seconds();
            rps.add(p == null ? 0.0 : round(p.requests() / seconds));
            errors.add(p == null ? 0.0 : round((double) p.serverErrors() / p.requests()));
            p99.add(p == null || p.p99() == null ? null : round(p.p99()));
          }
          var label = labels.get(route);
          routes.add(
              new RouteSeries(
                  route, label.service(), label.version(), totals.get(route), rps, errors, p99));
        });
    boolean source = sampler.hasSource();
    return new Traffic(
        source ? "this-process" : "none",
        source
            ? "sampled from this process's gateway node every " + interval.toSeconds() + " s"
            : "this control plane runs no gateway node; each node's traffic is on its own /metrics",
        interval.toSeconds(),
        minutes,
        samples.stream().map(TrafficSampler.Sample::at).toList(),
        routes);
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }
}
