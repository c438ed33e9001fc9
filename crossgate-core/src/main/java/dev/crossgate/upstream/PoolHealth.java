package dev.crossgate.upstream;

import java.time.Instant;
import java.util.List;

/**
 * One node's view of an upstream's health: what the node's own active checks and real traffic say
 * of each target. Nodes report it on every heartbeat of the cluster stream, so a control plane can
 * answer {@code GET /admin/upstreams/{id}/health} for every node ({@link UpstreamHealth}).
 *
 * @param panic no target is healthy: requests still go to all of them
 */
public record PoolHealth(String upstream, boolean panic, List<TargetHealth> targets) {
  public PoolHealth {
    targets = List.copyOf(targets);
  }

  /**
   * @param since when the target last turned healthy or unhealthy (or the node first saw it)
   * @param lastCheck the last active check's outcome ({@code 200}, {@code timeout}, …), null before
   *     the first or without active checks
   * @param ejected ejected by passive health (failures of real traffic) right now
   */
  public record TargetHealth(
      String url,
      int weight,
      boolean healthy,
      Instant since,
      String lastCheck,
      boolean ejected,
      long ejections,
      int inFlight) {}
}
