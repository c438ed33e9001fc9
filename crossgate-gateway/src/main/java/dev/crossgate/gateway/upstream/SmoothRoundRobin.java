package dev.crossgate.gateway.upstream;

/**
 * nginx's smooth weighted round robin: every pick adds each candidate's weight to its current
 * value, takes the largest and subtracts the candidates' total from it. Weights 5,1,1 give a a b a
 * c a a rather than a a a a a b c. Locked: the state is one per pool on the node, and a pick is a
 * few additions.
 */
final class SmoothRoundRobin implements Balancer {
  private final int[] weights;
  private final long[] current;

  SmoothRoundRobin(int[] weights) {
    this.weights = weights;
    this.current = new long[weights.length];
  }

  @Override
  public synchronized int pick(long eligible, String key) {
    long total = 0;
    int best = -1;
    for (long rest = eligible; rest != 0; rest &= rest - 1) {
      int i = Long.numberOfTrailingZeros(rest);
      current[i] += weights[i];
      total += weights[i];
      if (best < 0 || current[i] > current[best]) {
        best = i;
      }
    }
    current[best] -= total;
    return best;
  }
}
