package dev.crossgate.admin.cluster;

import dev.crossgate.retry.Backoff;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Settings of the cluster stream on the control plane.
 *
 * @param clusterToken enrolment secret: a node presents it once, to receive a credential of its own;
 *     null: no node can enrol (enrolled nodes still connect)
 * @param ackTimeout how long a node has to answer a batch before it is sent again
 * @param maxBackoff the longest jittered wait added to {@code ackTimeout} before a resend
 * @param retainedRevisions change-log entries kept for deltas; older nodes get snapshots
 * @param jitter the resend back-off's randomness, values in {@code [0, 1)}; tests pass a constant
 */
public record ClusterOptions(String clusterToken, Duration ackTimeout, Duration maxBackoff, long retainedRevisions,
    DoubleSupplier jitter) {
  public ClusterOptions {
    Objects.requireNonNull(ackTimeout, "ackTimeout");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(jitter, "jitter");
  }

  public ClusterOptions(String clusterToken, Duration ackTimeout, Duration maxBackoff, long retainedRevisions) {
    this(clusterToken, ackTimeout, maxBackoff, retainedRevisions, () -> ThreadLocalRandom.current().nextDouble());
  }

  public static ClusterOptions defaults(String clusterToken) {
    return new ClusterOptions(clusterToken, Duration.ofSeconds(5), Duration.ofSeconds(60), 100_000);
  }

  /** The jittered part of the wait before a resend: {@code ackTimeout·2^attempts}, at most {@code maxBackoff}. */
  Backoff resendBackoff() {
    return Backoff.of(ackTimeout, maxBackoff, Duration.ZERO, jitter);
  }
}
