package dev.crossgate.admin.cluster;

import dev.crossgate.config.ConfigApplier;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.extension.Extension;
import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.route.RouteTable;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.filter.FilterRepository;
import dev.crossgate.store.route.RouteRepository;
import dev.crossgate.store.tenant.TenantRepository;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.tenant.TenantCertificate;
import dev.crossgate.tenant.TokenIssuer;
import dev.crossgate.upstream.Upstream;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the change log and keeps the current {@link GatewayConfig}: the standalone node serves
 * from it, and the cluster hub takes snapshots and expected hashes from it. Loads a snapshot from
 * the database, then applies each batch of new changes with {@link ConfigApplier} (the code cluster
 * nodes use for deltas) and swaps one reference. It polls when poked (after a local write, on a
 * PostgreSQL notification) and on a fallback timer, on a worker thread; a burst of pokes coalesces
 * into one poll.
 */
public final class ConfigFollower implements Supplier<GatewayConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigFollower.class);
  private static final int BATCH = 10_000;
  private static final int REMEMBERED_HASHES = 100_000;

  private final Vertx vertx;
  private final ChangeLog changeLog;
  private final AtomicReference<GatewayConfig> current;
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicBoolean pokedWhilePolling = new AtomicBoolean();

  /** Notified each time {@link #current} moves, for {@link #catchUp}. */
  private final Object advanced = new Object();

  private final List<Consumer<GatewayConfig>> listeners = new CopyOnWriteArrayList<>();
  private final Map<Long, Long> hashes =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
          return size() > REMEMBERED_HASHES;
        }
      };
  private final long timer;
  private volatile boolean stopped;

  /**
   * Blocking: loads the initial snapshot. Call from a worker thread. The suppliers (extensions,
   * registered client certificates, upstream pools, token issuers) are read on this thread too.
   */
  public ConfigFollower(
      Vertx vertx,
      ChangeLog changeLog,
      RouteRepository routes,
      FilterRepository filters,
      TenantRepository tenants,
      Supplier<Collection<Extension>> extensions,
      Supplier<Collection<TenantCertificate>> clientCertificates,
      Supplier<Collection<Upstream>> upstreams,
      Supplier<Collection<TokenIssuer>> issuers,
      long fallbackPollMs) {
    this.vertx = vertx;
    this.changeLog = changeLog;
    GatewayConfig initial;
    long revision;
    do {
      // consistent without a long transaction: no commit happened if the revision did not move
      revision = changeLog.latestRevision();
      var keys = tenants.allKeys().stream().collect(Collectors.toMap(ApiKey::keyHash, k -> k));
      var allTenants = tenants.all();
      var disabled =
          allTenants.stream()
              .filter(t -> !t.enabled())
              .map(dev.crossgate.tenant.Tenant::id)
              .toList();
      var tenantRateLimits = new java.util.HashMap<String, List<RateLimit>>();
      allTenants.stream()
          .filter(t -> t.rateLimits() != null)
          .forEach(t -> tenantRateLimits.put(t.id(), t.rateLimits()));
      initial =
          new GatewayConfig(
              revision,
              RouteTable.of(routes.all(), revision),
              filters.all(),
              keys,
              extensions.get(),
              disabled,
              clientCertificates.get(),
              upstreams.get(),
              issuers.get(),
              tenantRateLimits);
    } while (changeLog.latestRevision() != revision);
    this.current = new AtomicReference<>(initial);
    remember(revision, initial.hash());
    this.timer = vertx.setPeriodic(fallbackPollMs, id -> poke());
    LOG.info(
        "config loaded revision={} routes={} hash={}",
        revision,
        initial.routes().size(),
        initial.hashHex());
  }

  @Override
  public GatewayConfig get() {
    return current.get();
  }

  /** Called on a worker thread with each new configuration. */
  public void onAdvance(Consumer<GatewayConfig> listener) {
    listeners.add(listener);
  }

  /** The configuration hash at {@code revision}, when this follower has seen that revision. */
  public Long hashAt(long revision) {
    synchronized (hashes) {
      return hashes.get(revision);
    }
  }

  /** Asks for a poll soon; cheap and safe from any thread. */
  public void poke() {
    if (stopped) {
      return;
    }
    if (!polling.compareAndSet(false, true)) {
      pokedWhilePolling.set(true);
      return;
    }
    vertx
        .executeBlocking(this::pollOnce, false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                LOG.warn(
                    "change log poll failed error=\"{}\"; serving revision {}",
                    ar.cause().getMessage(),
                    current.get().revision());
              }
              polling.set(false);
              if (pokedWhilePolling.getAndSet(false)) {
                poke();
              }
            });
  }

  /**
   * Applies every committed change now, on this thread, or waits (at most {@code max}) for the poll
   * in progress to apply it: called after this instance's own commits, so that a write is served by
   * the node in this process (standalone) before the write answers. Blocking: call from a worker
   * thread. A failed or slow apply is left to the next poll; the write answers anyway.
   */
  public void catchUp(java.time.Duration max) {
    long target = changeLog.latestRevision();
    long deadline = System.nanoTime() + max.toNanos();
    synchronized (advanced) {
      while (!stopped && current.get().revision() < target) {
        if (polling.compareAndSet(false, true)) {
          try {
            pollOnce();
          } catch (RuntimeException e) {
            LOG.warn("change log catch-up failed error=\"{}\"", e.getMessage());
            return;
          } finally {
            polling.set(false);
          }
          if (pokedWhilePolling.getAndSet(false)) {
            poke();
          }
          continue;
        }
        long leftMs = (deadline - System.nanoTime()) / 1_000_000;
        if (leftMs <= 0) {
          return;
        }
        try {
          advanced.wait(leftMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private Void pollOnce() {
    while (true) {
      var from = current.get();
      var changes = changeLog.after(from.revision(), BATCH);
      if (changes.isEmpty()) {
        return null;
      }
      var next = ConfigApplier.apply(from, changes, this::remember);
      current.set(next);
      synchronized (advanced) {
        advanced.notifyAll();
      }
      LOG.info(
          "config applied fromRevision={} toRevision={} changes={} routes={} hash={}",
          from.revision(),
          next.revision(),
          changes.size(),
          next.routes().size(),
          next.hashHex());
      listeners.forEach(l -> l.accept(next));
      if (changes.size() < BATCH) {
        return null;
      }
    }
  }

  private void remember(long revision, long hash) {
    synchronized (hashes) {
      hashes.put(revision, hash);
    }
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }
}
