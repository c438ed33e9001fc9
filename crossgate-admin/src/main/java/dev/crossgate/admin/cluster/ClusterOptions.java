package dev.crossgate.admin.cluster;

import dev.crossgate.retry.Backoff;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Settings of the cluster stream on the control plane.
 *
 * @param clusterToken enrolment secret: a node presents it once, to receive a credential of its
 *     own; null: no node can enrol (enrolled nodes still connect)
 * @param ackTimeout how long a node has to answer a batch before it is sent again
 * @param maxBackoff the longest jittered wait added to {@code ackTimeout} before a resend
 * @param retainedRevisions change-log entries kept for deltas; older nodes get snapshots
 * @param jitter the resend back-off's randomness, values in {@code [0, 1)}; tests pass a constant
 * @param missedHeartbeats how many of a node's heartbeat periods (it announces its period in its
 *     HELLO) may pass without a message before it is shown disconnected and its stream closed
 */
public record ClusterOptions(
    String clusterToken,
    Duration ackTimeout,
    Duration maxBackoff,
    long retainedRevisions,
    DoubleSupplier jitter,
    int missedHeartbeats) {
  public static final int DEFAULT_MISSED_HEARTBEATS = 3;

  /**
   * The period assumed for a node that does not announce one (older nodes): the gateway's default.
   */
  static final Duration DEFAULT_NODE_HEARTBEAT = Duration.ofSeconds(3);

  public ClusterOptions {
    Objects.requireNonNull(ackTimeout, "ackTimeout");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(jitter, "jitter");
    if (missedHeartbeats < 1) {
      throw new IllegalArgumentException(
          "missedHeartbeats must be at least 1, got " + missedHeartbeats);
    }
  }

  public ClusterOptions(
      String clusterToken, Duration ackTimeout, Duration maxBackoff, long retainedRevisions) {
    this(
        clusterToken,
        ackTimeout,
        maxBackoff,
        retainedRevisions,
        () -> ThreadLocalRandom.current().nextDouble(),
        DEFAULT_MISSED_HEARTBEATS);
  }

  public static ClusterOptions defaults(String clusterToken) {
    return new ClusterOptions(clusterToken, Duration.ofSeconds(5), Duration.ofSeconds(60), 100_000);
  }

  public ClusterOptions withMissedHeartbeats(int missed) {
    return new ClusterOptions(
        clusterToken, ackTimeout, maxBackoff, retainedRevisions, jitter, missed);
  }

  /**
   * The jittered part of the wait before a resend: {@code ackTimeout·2^attempts}, at most {@code
   * maxBackoff}.
   */
  Backoff resendBackoff() {
    return Backoff.of(ackTimeout, maxBackoff, Duration.ZERO, jitter);
  }

  /** How long a node beating every {@code heartbeatMillis} (0: not announced) may stay silent. */
  Duration silenceLimit(long heartbeatMillis) {
    var period = heartbeatMillis > 0 ? Duration.ofMillis(heartbeatMillis) : DEFAULT_NODE_HEARTBEAT;
    return period.multipliedBy(missedHeartbeats);
  }
}
