package dev.crossgate.gateway.upstream;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Seed 003's "least-loaded first": the candidate with the fewest requests in flight relative to its
 * weight, ties broken by the larger weight, then at random. Pools are small (at most 64 targets),
 * so every candidate is compared rather than two at random (power of two choices): exact, and still
 * a handful of reads of atomics.
 */
final class LeastConnections implements Balancer {
  private final TargetState[] targets;
  private final int[] weights;

  LeastConnections(TargetState[] targets, int[] weights) {
    this.targets = targets;
    this.weights = weights;
  }

  @Override
  public int pick(long eligible, String key) {
    int best = -1;
    long bestLoad = 0;
    int ties = 0;
    for (long rest = eligible; rest != 0; rest &= rest - 1) {
      int i = Long.numberOfTrailingZeros(rest);
      long load = targets[i].inFlight.get();
      if (best < 0) {
        best = i;
        bestLoad = load;
        ties = 1;
        continue;
      }
      // load_i / w_i against load_best / w_best, without division
      long cmp = load * weights[best] - bestLoad * weights[i];
      if (cmp < 0 || (cmp == 0 && weights[i] > weights[best])) {
        best = i;
        bestLoad = load;
        ties = 1;
      } else if (cmp == 0
          && weights[i] == weights[best]
          && ThreadLocalRandom.current().nextInt(++ties) == 0) {
        best = i;
        bestLoad = load;
      }
    }
    return best;
  }
}
