package dev.crossgate.app;

import dev.crossgate.admin.cluster.ClusterHub;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Process-wide meters every role exposes on /metrics, named so that {@code promtool check metrics}
 * has nothing to say: Micrometer's {@code system_cpu_count} (a gauge ending in {@code _count}) is
 * {@code system_cpus}, and its {@code process_cpu_time_ns_total} (an abbreviated unit) is replaced
 * by Prometheus's own {@code process_cpu_seconds_total}.
 */
final class Metrics {
  private Metrics() {}

  /** A registry holding the process's JVM and CPU meters. */
  static PrometheusMeterRegistry processRegistry() {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry
        .config()
        .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
        .meterFilter(
            new MeterFilter() {
              @Override
              public io.micrometer.core.instrument.Meter.Id map(
                  io.micrometer.core.instrument.Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
              }
            });
    bindJvm(registry);
    return registry;
  }

  @SuppressWarnings("resource") // JvmGcMetrics lives as long as the process
  private static void bindJvm(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, b -> b.getProcessCpuTime() / 1e9)
          .description("CPU time used by the process")
          .baseUnit("seconds")
          .register(registry);
    }
  }

  /**
   * A control plane's per-node figures ({@link ClusterHub#nodeFigures()}) as meters labelled {@code
   * node}: {@code crossgate_cluster_node_connected}, {@code
   * crossgate_cluster_node_applied_revision}, {@code crossgate_cluster_node_lag_revisions} and
   * {@code crossgate_cluster_node_nacks_total}. Nodes are enrolled by an operator, so the label is
   * bounded; {@link #refresh()} runs before each scrape and registers the nodes seen since.
   */
  static final class ClusterNodes {
    private final MeterRegistry registry;
    private final Supplier<List<ClusterHub.NodeFigure>> source;
    private final Map<String, ClusterHub.NodeFigure> latest = new ConcurrentHashMap<>();

    ClusterNodes(MeterRegistry registry, Supplier<List<ClusterHub.NodeFigure>> source) {
      this.registry = registry;
      this.source = source;
    }

    void refresh() {
      for (var figure : source.get()) {
        if (latest.put(figure.nodeId(), figure) == null) {
          register(figure.nodeId());
        }
      }
    }

    private void register(String node) {
      Gauge.builder(
              "crossgate_cluster_node_connected", latest, m -> m.get(node).connected() ? 1 : 0)
          .description("1 while the node's configuration stream is open on this control plane")
          .tag("node", node)
          .register(registry);
      Gauge.builder(
              "crossgate_cluster_node_applied_revision", latest, m -> m.get(node).appliedRevision())
          .description("the configuration revision the node last reported applied")
          .tag("node", node)
          .register(registry);
      Gauge.builder("crossgate_cluster_node_lag", latest, m -> m.get(node).lag())
          .description("revisions the node is behind this control plane's configuration")
          .baseUnit("revisions")
          .tag("node", node)
          .register(registry);
      FunctionCounter.builder("crossgate_cluster_node_nacks", latest, m -> m.get(node).nacks())
          .description("revisions the node refused (NACK) since this control plane started")
          .tag("node", node)
          .register(registry);
    }
  }
}
