package dev.crossgate.admin;

import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.upstream.PoolHealth;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the Admin API may read of the gateway node running in the same process (standalone, a
 * database-less gateway): its extension circuits, its view of upstream pools, its modules' load
 * state, its meters. A control plane of a cluster has no such node ({@link #NONE}); its nodes
 * report over the cluster stream.
 *
 * @param name what the Admin API calls the node among the cluster's: its role ({@code standalone},
 *     {@code gateway} for {@code gateway --config})
 * @param extensionCircuitOpen whether a tenant's extension calls are cut off (null: unknown)
 * @param upstreamHealth the node's view of a pool, empty when it has none
 * @param moduleLoads the load state of the node's WebAssembly modules; null when there is no node
 *     in this process
 * @param meters the node's meters, sampled by the traffic view; null for none
 */
public record LocalNodeView(
    String name,
    Function<String, Boolean> extensionCircuitOpen,
    Function<String, Optional<PoolHealth>> upstreamHealth,
    Supplier<List<ModuleLoad>> moduleLoads,
    MeterRegistry meters) {
  public static final LocalNodeView NONE =
      new LocalNodeView("none", tenant -> null, id -> Optional.empty(), null, null);

  /** A view with only meters (tests of the traffic view). */
  public static LocalNodeView ofMeters(MeterRegistry meters) {
    return new LocalNodeView(
        "standalone", NONE.extensionCircuitOpen, NONE.upstreamHealth, NONE.moduleLoads, meters);
  }
}
