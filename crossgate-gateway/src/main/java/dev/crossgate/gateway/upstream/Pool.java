package dev.crossgate.gateway.upstream;

import dev.crossgate.gateway.proxy.UpstreamTarget;
import dev.crossgate.upstream.PoolHealth;
import dev.crossgate.upstream.Upstream;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upstream's targets on this node, as the proxy uses them: {@link #pick} a target for an
 * attempt, then report {@link #succeeded} or {@link #failed} and {@link #finished}. Health decides
 * the candidates: a target is healthy while its active checks pass and it is not ejected; when no
 * untried target is healthy the pool is in panic and picks among all untried ones (as Envoy does)
 * rather than failing everything.
 */
public final class Pool {
  private static final Logger LOG = LoggerFactory.getLogger(Pool.class);

  /** Retries allowed per budget window whatever the traffic, so a quiet pool can still retry. */
  private static final int MIN_RETRIES_PER_WINDOW = 3;

  private static final long BUDGET_WINDOW_NANOS = 10_000_000_000L;

  private volatile Upstream upstream;
  private final List<Upstream.Target> resolved;
  private final TargetState[] targets;
  private final int[] weights;
  private final Balancer balancer;
  private final Counter panics;

  /** What the consistent-hash key is read from: {@code client_ip}, {@code path} or a header. */
  private final String hashOn;

  private final String hashHeader;
  private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  volatile boolean closed;

  /**
   * @param resolved the targets as they are now, dns+srv ones expanded; {@code targets} are their
   *     states, in the same order
   */
  Pool(Upstream upstream, List<Upstream.Target> resolved, TargetState[] targets, Counter panics) {
    this.upstream = upstream;
    this.resolved = resolved;
    this.targets = targets;
    this.weights = new int[targets.length];
    for (int i = 0; i < targets.length; i++) {
      weights[i] = resolved.get(i).weight();
    }
    this.balancer = Balancer.of(upstream, targets, weights);
    this.panics = panics;
    this.hashOn = upstream.hashOn();
    this.hashHeader =
        hashOn != null && hashOn.startsWith("header:")
            ? hashOn.substring("header:".length())
            : null;
  }

  /**
   * The consistent-hash key of a request, or null when the pool does not hash; a request without
   * the header is keyed by its client address.
   */
  public String hashKey(HttpServerRequest request, String clientIp, String path) {
    if (hashOn == null) {
      return null;
    }
    if (hashHeader != null) {
      var value = request.getHeader(hashHeader);
      return value != null ? value : clientIp;
    }
    return hashOn.equals("path") ? path : clientIp;
  }

  public Upstream upstream() {
    return upstream;
  }

  /** The targets this pool was built from, dns+srv ones expanded. */
  List<Upstream.Target> resolved() {
    return resolved;
  }

  void upstream(Upstream same) {
    this.upstream = same;
  }

  TargetState[] targets() {
    return targets;
  }

  /** Where target {@code index} is. */
  public UpstreamTarget address(int index) {
    return targets[index].address;
  }

  /** The bit of target {@code index} in a {@code tried} mask. */
  public static long bit(int index) {
    return 1L << index;
  }

  /**
   * A healthy target not in {@code tried} chosen by the pool's algorithm ({@code key} is the
   * consistent-hash key, else ignored); in panic (none healthy) any untried one, counted in the
   * panic metric; -1 when every target was tried.
   */
  public int pick(String key, long tried) {
    long now = System.nanoTime();
    long untried = 0;
    long healthy = 0;
    for (int i = 0; i < targets.length; i++) {
      if ((tried & (1L << i)) == 0) {
        untried |= 1L << i;
        if (targets[i].healthy(now)) {
          healthy |= 1L << i;
        }
      }
    }
    if (untried == 0) {
      return -1;
    }
    if (healthy == 0) {
      panics.increment();
      return balancer.pick(untried, key);
    }
    return balancer.pick(healthy, key);
  }

  /** True when target {@code index} is not healthy: it was picked in panic. */
  public boolean panic(int index) {
    return !targets[index].healthy(System.nanoTime());
  }

  /** A request (not an attempt) starts: counted for the retry budget. */
  public void requestStarted() {
    long now = System.nanoTime();
    long start = windowStart.get();
    if (now - start > BUDGET_WINDOW_NANOS && windowStart.compareAndSet(start, now)) {
      requests.set(0);
      retries.set(0);
    }
    requests.incrementAndGet();
  }

  /**
   * Takes one retry from the budget: at most {@code budgetPercent} of this window's requests (and
   * never fewer than a few) are retries. False when the budget is spent.
   */
  public boolean tryRetry() {
    long allowed =
        Math.max(MIN_RETRIES_PER_WINDOW, requests.get() * upstream.retries().budgetPercent() / 100);
    if (retries.incrementAndGet() > allowed) {
      retries.decrementAndGet();
      return false;
    }
    return true;
  }

  /** An attempt on target {@code index} starts. */
  public void started(int index) {
    targets[index].inFlight.incrementAndGet();
  }

  /** The attempt on target {@code index} is over (answered, failed or abandoned). */
  public void finished(int index) {
    targets[index].inFlight.decrementAndGet();
  }

  /** Target {@code index} answered: its run of failures ends. */
  public void succeeded(int index) {
    targets[index].consecutiveFailures.set(0);
  }

  /**
   * Target {@code index} failed an attempt (connect failure, reset, silence, a gateway-error
   * status): after {@code consecutiveFailures} in a row it is ejected for {@code ejectMs}, unless
   * {@code maxEjectedPercent} of the pool is ejected already.
   */
  public void failed(int index, String why) {
    var target = targets[index];
    var passive = upstream.passive();
    if (target.consecutiveFailures.incrementAndGet() < passive.consecutiveFailures()) {
      return;
    }
    long now = System.nanoTime();
    synchronized (this) {
      if (target.ejected(now)) {
        return;
      }
      int ejected = 0;
      for (var t : targets) {
        ejected += t.ejected(now) ? 1 : 0;
      }
      if ((ejected + 1) * 100 > passive.maxEjectedPercent() * targets.length) {
        return;
      }
      target.consecutiveFailures.set(0);
      target.ejectedUntilNanos = now + passive.ejectMs() * 1_000_000L;
      target.ejections.incrementAndGet();
      target.since = Instant.now();
    }
    LOG.warn(
        "upstream target ejected upstream={} target={} ejectMs={} cause={}",
        upstream.id(),
        target.url,
        passive.ejectMs(),
        why);
  }

  /** This node's view of the pool's health, for the Admin API. */
  public PoolHealth health() {
    long now = System.nanoTime();
    var list = new ArrayList<PoolHealth.TargetHealth>(targets.length);
    boolean anyHealthy = false;
    for (int i = 0; i < targets.length; i++) {
      var t = targets[i];
      boolean healthy = t.healthy(now);
      anyHealthy |= healthy;
      list.add(
          new PoolHealth.TargetHealth(
              t.url,
              weights[i],
              healthy,
              t.since,
              t.lastCheck,
              t.ejected(now),
              t.ejections.get(),
              t.inFlight.get()));
    }
    return new PoolHealth(upstream.id(), !anyHealthy, List.copyOf(list));
  }
}
