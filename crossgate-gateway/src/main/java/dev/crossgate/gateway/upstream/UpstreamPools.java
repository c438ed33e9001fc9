package dev.crossgate.gateway.upstream;

import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.tls.TlsEngine;
import dev.crossgate.upstream.PoolHealth;
import dev.crossgate.upstream.Upstream;
import dev.crossgate.upstream.UpstreamValidator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's upstream pools, one {@link Pool} per upstream of the configuration, shared by every
 * event loop. A pool follows its upstream's definition: when the configuration brings a new one the
 * pool is rebuilt on first use (or by the periodic reconcile), carrying each target's state over by
 * URL. Active health checks run here, on every node independently (health is a node's own view: a
 * target one node cannot reach may be fine for another), each target on its own jittered Vert.x
 * timer so that nodes and targets do not check in lockstep.
 */
public final class UpstreamPools implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamPools.class);
  private static final long RECONCILE_MS = 1_000;

  private final Vertx vertx;
  private final MeterRegistry registry;
  private final Supplier<GatewayConfig> config;
  private final ConcurrentHashMap<String, Pool> pools = new ConcurrentHashMap<>();
  private final HttpClient checks;
  private final long reconcileTimer;

  /** SRV lookups by name, shared by the pools that name it. */
  private final ConcurrentHashMap<String, SrvDiscovery> discoveries = new ConcurrentHashMap<>();

  /** Asks the node's name servers (the Vert.x resolver's: its options, else /etc/resolv.conf). */
  private final DnsClient dns;

  public UpstreamPools(
      Vertx vertx, MeterRegistry registry, Supplier<GatewayConfig> config, TlsEngine tlsEngine) {
    this.vertx = vertx;
    this.registry = registry;
    this.config = config;
    // checks open their own connections: a dead target is found even if proxied requests are idle
    this.checks =
        vertx
            .httpClientBuilder()
            .with(new HttpClientOptions().setKeepAlive(false))
            .with(tlsEngine.options())
            .build();
    this.dns = vertx.createDnsClient(new DnsClientOptions().setRecursionDesired(true));
    this.reconcileTimer = vertx.setPeriodic(RECONCILE_MS, t -> reconcile());
    reconcile();
  }

  /**
   * The pool of {@code upstream}, rebuilt when its definition changed; null for null. Cheap when
   * nothing changed: one map read and a reference comparison.
   */
  public Pool pool(Upstream upstream) {
    if (upstream == null) {
      return null;
    }
    var pool = pools.get(upstream.id());
    if (pool != null && pool.upstream() == upstream) {
      return pool;
    }
    return sync(upstream);
  }

  /** This node's view of upstream {@code id}'s health, when the configuration has it. */
  public Optional<PoolHealth> health(String id) {
    var upstream = config.get().upstreams().get(id);
    return upstream == null ? Optional.empty() : Optional.of(pool(upstream).health());
  }

  /** This node's view of every configured upstream's health, ordered by id (for heartbeats). */
  public List<PoolHealth> healthOfAll() {
    return config.get().upstreams().values().stream()
        .sorted(Comparator.comparing(Upstream::id))
        .map(upstream -> pool(upstream).health())
        .toList();
  }

  /** Follows the configuration: pools for new or changed upstreams, none for removed ones. */
  private void reconcile() {
    var current = config.get().upstreams();
    current.values().forEach(this::pool);
    for (var id : pools.keySet()) {
      if (!current.containsKey(id)) {
        synchronized (this) {
          var removed = pools.remove(id);
          if (removed != null) {
            removed.closed = true;
          }
        }
      }
    }
    stopUnusedDiscoveries();
  }

  /**
   * Stops the SRV lookups no upstream names any more; under the lock {@link #sync} holds, so a
   * lookup a pool is being built with is never stopped under it.
   */
  private synchronized void stopUnusedDiscoveries() {
    var named = new HashSet<String>();
    config
        .get()
        .upstreams()
        .values()
        .forEach(u -> u.targets().forEach(t -> named.add(t.srvName())));
    for (var name : discoveries.keySet()) {
      if (!named.contains(name)) {
        discoveries.remove(name).stop();
      }
    }
  }

  /**
   * The targets a pool of {@code upstream} has now: its http(s) targets and what its dns+srv ones
   * expand to, one entry per URL (the heavier weight wins), at most {@link
   * UpstreamValidator#MAX_TARGETS}.
   */
  private List<Upstream.Target> expand(Upstream upstream) {
    var byUrl = new LinkedHashMap<String, Upstream.Target>();
    for (var target : upstream.targets()) {
      var name = target.srvName();
      var found = name == null ? List.of(target) : discovery(name).targets();
      for (var t : found) {
        byUrl.merge(t.url(), t, (a, b) -> a.weight() >= b.weight() ? a : b);
      }
    }
    var all = List.copyOf(byUrl.values());
    if (all.size() > UpstreamValidator.MAX_TARGETS) {
      LOG.warn(
          "upstream has more targets than a pool holds upstream={} targets={} kept={}",
          upstream.id(),
          all.size(),
          UpstreamValidator.MAX_TARGETS);
      return all.subList(0, UpstreamValidator.MAX_TARGETS);
    }
    return all;
  }

  private SrvDiscovery discovery(String name) {
    return discoveries.computeIfAbsent(
        name, n -> new SrvDiscovery(vertx, dns, n, () -> rediscovered(n)));
  }

  /** SRV answers for {@code name} changed: the pools that name it are rebuilt now. */
  private void rediscovered(String name) {
    for (var upstream : config.get().upstreams().values()) {
      if (upstream.targets().stream().anyMatch(t -> name.equals(t.srvName()))) {
        sync(upstream);
      }
    }
  }

  private synchronized Pool sync(Upstream upstream) {
    var existing = pools.get(upstream.id());
    var resolved = expand(upstream);
    if (existing != null
        && existing.upstream().equals(upstream)
        && existing.resolved().equals(resolved)) {
      existing.upstream(upstream); // same definition from a new snapshot: keep the pool
      return existing;
    }
    var carried = new HashMap<String, TargetState>();
    if (existing != null) {
      existing.closed = true;
      for (var t : existing.targets()) {
        carried.put(t.url, t);
      }
    }
    var states = new TargetState[resolved.size()];
    for (int i = 0; i < states.length; i++) {
      var url = resolved.get(i).url();
      states[i] = carried.containsKey(url) ? carried.get(url) : new TargetState(url);
      if (upstream.healthCheck() == null) {
        states[i].checkedHealthy = true; // no active checks any more: only passive ejection counts
      }
    }
    var panics =
        Counter.builder("crossgate_upstream_panic")
            .description("requests sent to an upstream none of whose targets was healthy")
            .tag("upstream", upstream.id())
            .register(registry);
    var pool = new Pool(upstream, resolved, states, panics);
    pools.put(upstream.id(), pool);
    if (upstream.healthCheck() != null) {
      for (var state : states) {
        scheduleCheck(pool, state, upstream.healthCheck());
      }
    }
    LOG.info(
        "upstream pool ready upstream={} targets={} algorithm={} activeChecks={}",
        upstream.id(),
        states.length,
        upstream.algorithm(),
        upstream.healthCheck() != null);
    return pool;
  }

  private void scheduleCheck(Pool pool, TargetState target, Upstream.HealthCheck check) {
    // ±20 % jitter: nodes (and targets) drift apart rather than checking in lockstep
    long jitter = check.intervalMs() / 5;
    long delay =
        Math.max(
            1, check.intervalMs() - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1));
    vertx.setTimer(
        delay,
        t -> {
          if (!pool.closed) {
            check(pool, target, check);
          }
        });
  }

  private void check(Pool pool, TargetState target, Upstream.HealthCheck check) {
    var address = target.address;
    var options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(address.host())
            .setPort(address.port())
            .setSsl(address.ssl())
            .setURI(address.basePath() + check.path())
            .setConnectTimeout(check.timeoutMs())
            .setIdleTimeout(check.timeoutMs());
    checks
        .request(options)
        .compose(req -> req.send().compose(r -> r.end().map(v -> r.statusCode())))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                int status = ar.result();
                record(pool, target, check, check.expects(status), Integer.toString(status));
              } else {
                record(pool, target, check, false, describe(ar.cause()));
              }
              if (!pool.closed) {
                scheduleCheck(pool, target, check);
              }
            });
  }

  private static void record(
      Pool pool, TargetState target, Upstream.HealthCheck check, boolean good, String outcome) {
    target.lastCheck = outcome;
    if (good) {
      target.checkStreak = Math.max(0, target.checkStreak) + 1;
      if (!target.checkedHealthy && target.checkStreak >= check.healthyThreshold()) {
        target.checkedHealthy = true;
        target.since = Instant.now();
        LOG.info(
            "upstream target healthy upstream={} target={} check={}",
            pool.upstream().id(),
            target.url,
            outcome);
      }
    } else {
      target.checkStreak = Math.min(0, target.checkStreak) - 1;
      if (target.checkedHealthy && -target.checkStreak >= check.unhealthyThreshold()) {
        target.checkedHealthy = false;
        target.since = Instant.now();
        LOG.warn(
            "upstream target unhealthy upstream={} target={} check={}",
            pool.upstream().id(),
            target.url,
            outcome);
      }
    }
  }

  private static String describe(Throwable cause) {
    var name = cause.getClass().getSimpleName();
    if (name.contains("Timeout")) {
      return "timeout";
    }
    var message = cause.getMessage() == null ? name : cause.getMessage();
    return message.toLowerCase(java.util.Locale.ROOT).contains("refused")
        ? "refused"
        : "failed: " + name;
  }

  @Override
  public void close() {
    vertx.cancelTimer(reconcileTimer);
    pools.values().forEach(p -> p.closed = true);
    discoveries.values().forEach(SrvDiscovery::stop);
    checks.close();
    dns.close();
  }
}
