package dev.crossgate.upstream;

import java.time.Instant;
import java.util.List;

/**
 * An upstream's health as every node sees it ({@code GET /admin/upstreams/{id}/health}): one entry
 * per node that reported the pool, each the node's own view. Nodes judge targets independently
 * (their own checks, their own traffic), so two nodes may disagree, and that is worth seeing.
 */
public record UpstreamHealth(String upstream, List<NodeView> nodes) {
  public UpstreamHealth {
    nodes = List.copyOf(nodes);
  }

  /**
   * @param node the node's id ({@code standalone} for the node inside a standalone process)
   * @param reportedAt when the view was taken: the node's last heartbeat, or now for a node in this
   *     process
   * @param connected whether the node's cluster stream is open; a disconnected node's view is its
   *     last one
   */
  public record NodeView(
      String node,
      Instant reportedAt,
      boolean connected,
      boolean panic,
      List<PoolHealth.TargetHealth> targets) {
    public NodeView {
      targets = List.copyOf(targets);
    }

    public static NodeView of(String node, Instant reportedAt, boolean connected, PoolHealth pool) {
      return new NodeView(node, reportedAt, connected, pool.panic(), pool.targets());
    }
  }
}
