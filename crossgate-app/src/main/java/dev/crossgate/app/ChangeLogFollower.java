package dev.crossgate.app;

import dev.crossgate.config.ConfigApplier;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.route.RouteTable;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.filter.FilterRepository;
import dev.crossgate.store.route.RouteRepository;
import dev.crossgate.store.tenant.TenantRepository;
import dev.crossgate.tenant.ApiKey;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone node's configuration source: loads a snapshot from the database, then follows
 * the change log, applying each batch with {@link ConfigApplier} (the code cluster nodes use for
 * deltas) and swapping the one {@link GatewayConfig} reference. It polls when poked after a
 * write through the Admin API and on a fallback timer, on a worker thread; a burst of pokes
 * coalesces into one poll.
 */
final class ChangeLogFollower implements Supplier<GatewayConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeLogFollower.class);
  private static final int BATCH = 10_000;

  private final Vertx vertx;
  private final ChangeLog changeLog;
  private final AtomicReference<GatewayConfig> current;
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicBoolean pokedWhilePolling = new AtomicBoolean();
  private final long timer;

  /** Blocking: loads the initial snapshot. Call from a worker thread. */
  ChangeLogFollower(Vertx vertx, ChangeLog changeLog, RouteRepository routes, FilterRepository filters,
      TenantRepository tenants, long fallbackPollMs) {
    this.vertx = vertx;
    this.changeLog = changeLog;
    long revision = changeLog.latestRevision();
    // rows may already hold changes after `revision`; replaying those later is harmless
    var keys = tenants.allKeys().stream().collect(Collectors.toMap(ApiKey::keyHash, k -> k));
    this.current = new AtomicReference<>(new GatewayConfig(revision, RouteTable.of(routes.all(), revision),
        filters.all(), keys));
    this.timer = vertx.setPeriodic(fallbackPollMs, id -> poke());
    LOG.info("gateway config loaded revision={} routes={}", revision, current.get().routes().size());
  }

  @Override
  public GatewayConfig get() {
    return current.get();
  }

  /** Asks for a poll soon; cheap and safe from any thread. */
  void poke() {
    if (!polling.compareAndSet(false, true)) {
      pokedWhilePolling.set(true);
      return;
    }
    vertx.executeBlocking(this::pollOnce, false).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("change log poll failed error=\"{}\"; serving revision {}", ar.cause().getMessage(),
            current.get().revision());
      }
      polling.set(false);
      if (pokedWhilePolling.getAndSet(false)) {
        poke();
      }
    });
  }

  private Void pollOnce() {
    while (true) {
      var from = current.get();
      var changes = changeLog.after(from.revision(), BATCH);
      if (changes.isEmpty()) {
        return null;
      }
      var next = ConfigApplier.apply(from, changes);
      current.set(next);
      LOG.info("gateway config applied fromRevision={} toRevision={} changes={} routes={}", from.revision(),
          next.revision(), changes.size(), next.routes().size());
      if (changes.size() < BATCH) {
        return null;
      }
    }
  }

  void stop() {
    vertx.cancelTimer(timer);
  }
}
