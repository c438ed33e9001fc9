package dev.crossgate.admin;

import dev.crossgate.upstream.PoolHealth;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the Admin API may read of the gateway node running in the same process (standalone, a
 * database-less gateway): its extension circuits, its view of upstream pools, its meters. A control
 * plane of a cluster has no such node ({@link #NONE}); its nodes report over the cluster stream.
 *
 * @param extensionCircuitOpen whether a tenant's extension calls are cut off (null: unknown)
 * @param upstreamHealth the node's view of a pool, empty when it has none
 * @param meters the node's meters, sampled by the traffic view; null for none
 */
public record LocalNodeView(
    Function<String, Boolean> extensionCircuitOpen,
    Function<String, Optional<PoolHealth>> upstreamHealth,
    MeterRegistry meters) {
  public static final LocalNodeView NONE =
      new LocalNodeView(tenant -> null, id -> Optional.empty(), null);

  /** A view with only meters (tests of the traffic view). */
  public static LocalNodeView ofMeters(MeterRegistry meters) {
    return new LocalNodeView(NONE.extensionCircuitOpen, NONE.upstreamHealth, meters);
  }
}
