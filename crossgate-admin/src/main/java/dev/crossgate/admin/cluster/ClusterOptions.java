package dev.crossgate.admin.cluster;

import java.time.Duration;

/**
 * Settings of the cluster stream on the control plane.
 *
 * @param clusterToken enrolment secret: a node presents it once, to receive a credential of its own;
 *     null: no node can enrol (enrolled nodes still connect)
 * @param ackTimeout how long to wait for an ACK before sending again (doubled per attempt)
 * @param maxBackoff the longest wait between two sends of one revision
 * @param retainedRevisions change-log entries kept for deltas; older nodes get snapshots
 */
public record ClusterOptions(String clusterToken, Duration ackTimeout, Duration maxBackoff, long retainedRevisions) {
  public static ClusterOptions defaults(String clusterToken) {
    return new ClusterOptions(clusterToken, Duration.ofSeconds(5), Duration.ofSeconds(60), 100_000);
  }
}
