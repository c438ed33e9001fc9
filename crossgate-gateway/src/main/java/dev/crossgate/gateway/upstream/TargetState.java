package dev.crossgate.gateway.upstream;

import dev.crossgate.gateway.proxy.UpstreamTarget;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One target's live state on this node, shared by every event loop: requests in flight, what the
 * active checks say, passive ejection. It outlives a pool's redefinition (carried over by URL), so
 * an edit of the pool does not forget that a target is down.
 *
 * <p>Threading: counters are atomics, health fields volatile; {@link #checkStreak} is touched only
 * by the pool's active checks, which run one at a time per target.
 */
final class TargetState {
  final String url;
  final UpstreamTarget address;
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger consecutiveFailures = new AtomicInteger();
  final AtomicLong ejections = new AtomicLong();
  volatile boolean checkedHealthy = true;
  volatile long ejectedUntilNanos;
  volatile Instant since = Instant.now();
  volatile String lastCheck;

  /** Good checks in a row when positive, failed ones when negative. */
  int checkStreak;

  TargetState(String url) {
    this.url = url;
    this.address = UpstreamTarget.parse(url);
  }

  boolean ejected(long nowNanos) {
    long until = ejectedUntilNanos;
    return until != 0 && nowNanos - until < 0;
  }

  boolean healthy(long nowNanos) {
    return checkedHealthy && !ejected(nowNanos);
  }
}
