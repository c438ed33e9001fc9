package dev.crossgate.gateway.upstream;

import dev.crossgate.upstream.Upstream;

/**
 * Chooses one of a pool's targets. {@code eligible} is a bit mask of the candidates (bit i: target
 * i), never empty; implementations allocate nothing per call, as the proxy's hot path is measured
 * against nginx.
 */
interface Balancer {
  int pick(long eligible, String key);

  static Balancer of(Upstream upstream, TargetState[] targets, int[] weights) {
    return switch (upstream.algorithm()) {
      case ROUND_ROBIN -> new SmoothRoundRobin(weights);
      case LEAST_CONNECTIONS -> new LeastConnections(targets, weights);
      case CONSISTENT_HASH -> KetamaRing.of(targets, weights);
    };
  }
}
