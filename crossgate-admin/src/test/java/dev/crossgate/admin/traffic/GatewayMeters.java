package dev.crossgate.admin.traffic;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * A Prometheus registry holding meters shaped like the gateway node's (names, labels, histogram
 * buckets of {@code GatewayMetrics}), for tests of the traffic view without a gateway in this
 * module. crossgate-app's DashboardIT checks the names against a real standalone.
 */
public final class GatewayMeters {
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Records {@code count} requests of {@code route} answered with {@code status} in {@code took}.
   */
  public GatewayMeters record(String route, String service, int status, Duration took, int count) {
    var requests =
        Counter.builder(dev.crossgate.traffic.TrafficDeltas.REQUESTS)
            .tags("route", route, "service", service, "version", "v1")
            .tag("method", "GET")
            .tag("status", status / 100 + "xx")
            .register(registry);
    var duration =
        Timer.builder(dev.crossgate.traffic.TrafficDeltas.DURATION)
            .tags("route", route, "service", service, "version", "v1")
            .serviceLevelObjectives(BUCKETS)
            .register(registry);
    for (int i = 0; i < count; i++) {
      requests.increment();
      duration.record(took);
    }
    return this;
  }
}
