package dev.crossgate.store.cache;

import com.fasterxml.jackson.core.type.TypeReference;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.crossgate.json.Json;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteSource;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache-aside lookup of the routes at one (host, source path), all versions included: an in-process
 * Caffeine cache, then Redis when configured (shared by every control-plane instance), then the
 * database. Redis entries live for {@code redisTtl} and are rewritten from the database by {@link
 * #refresh()}; every route write invalidates the keys of the source it touched. When Redis fails,
 * lookups go to the database and Redis is left alone for a short back-off, so an outage costs one
 * timeout, not one per request.
 *
 * <p>Blocking (database and Redis round trips): call from a worker thread, never an event loop.
 */
public final class RouteCache implements RouteSource {
  private static final Logger LOG = LoggerFactory.getLogger(RouteCache.class);
  private static final TypeReference<List<Route>> ROUTES = new TypeReference<>() {};
  private static final long REDIS_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final RouteSource database;
  private final RedisAPI redis;
  private final String keyPrefix;
  private final Duration redisTtl;
  private final Duration redisTimeout;
  private final Cache<String, List<Route>> local;
  private final AtomicLong redisDownUntil = new AtomicLong(System.nanoTime());
  private final Stats stats = new Stats();

  /**
   * @param database the routes as stored, e.g. {@code RouteRepository::enabledAt}
   * @param redis null for no shared cache
   * @param keyPrefix prepended to every Redis key, e.g. {@code crossgate:}
   */
  public RouteCache(
      RouteSource database,
      RedisAPI redis,
      String keyPrefix,
      Duration redisTtl,
      Duration localTtl,
      Duration redisTimeout) {
    this.database = database;
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.redisTtl = redisTtl;
    this.redisTimeout = redisTimeout;
    this.local = Caffeine.newBuilder().expireAfterWrite(localTtl).maximumSize(100_000).build();
  }

  /** Counters, for metrics and tests. */
  public static final class Stats {
    public final AtomicLong redisHits = new AtomicLong();
    public final AtomicLong redisMisses = new AtomicLong();
    public final AtomicLong redisErrors = new AtomicLong();
    public final AtomicLong databaseLoads = new AtomicLong();
  }

  public Stats stats() {
    return stats;
  }

  @Override
  public List<Route> routesAt(String hostKey, String sourcePath) {
    return local.get(key(hostKey, sourcePath), k -> loadShared(k, hostKey, sourcePath));
  }

  /**
   * Forgets the source {@code route} lives at, here and in Redis. Call after every committed write.
   */
  public void invalidate(Route route) {
    var key = key(route.hostKey(), route.sourcePath());
    local.invalidate(key);
    if (redisUsable()) {
      try {
        await(redis.del(List.of(key)));
      } catch (RuntimeException e) {
        redisFailed("invalidate", e);
      }
    }
  }

  /**
   * Rewrites every cached Redis entry from the database (the periodic refresh), so entries changed
   * behind the cache's back (another deployment, a manual fix) are corrected within one period.
   * Returns the number of entries refreshed.
   */
  public int refresh() {
    local.invalidateAll();
    if (!redisUsable()) {
      return 0;
    }
    try {
      int refreshed = 0;
      var cursor = "0";
      do {
        var page =
            await(redis.scan(List.of(cursor, "MATCH", keyPrefix + "route:*", "COUNT", "500")));
        cursor = page.get(0).toString();
        for (var key : page.get(1)) {
          var k = key.toString();
          var source = k.substring((keyPrefix + "route:").length());
          int bar = source.indexOf('|');
          var routes = database.routesAt(source.substring(0, bar), source.substring(bar + 1));
          store(k, routes);
          refreshed++;
        }
      } while (!"0".equals(cursor));
      return refreshed;
    } catch (RuntimeException e) {
      redisFailed("refresh", e);
      return 0;
    }
  }

  private List<Route> loadShared(String key, String hostKey, String sourcePath) {
    if (redisUsable()) {
      try {
        var cached = await(redis.get(key));
        if (cached != null) {
          stats.redisHits.incrementAndGet();
          return Json.mapper().readValue(cached.toBytes(), ROUTES);
        }
        stats.redisMisses.incrementAndGet();
        var routes = loadFromDatabase(hostKey, sourcePath);
        store(key, routes);
        return routes;
      } catch (RuntimeException | java.io.IOException e) {
        redisFailed("get", e);
      }
    }
    return loadFromDatabase(hostKey, sourcePath);
  }

  private List<Route> loadFromDatabase(String hostKey, String sourcePath) {
    stats.databaseLoads.incrementAndGet();
    return List.copyOf(database.routesAt(hostKey, sourcePath));
  }

  private void store(String key, List<Route> routes) {
    await(
        redis.set(
            List.of(
                key,
                Json.write(new ArrayList<>(routes)),
                "EX",
                Long.toString(Math.max(1, redisTtl.toSeconds())))));
  }

  private boolean redisUsable() {
    return redis != null && System.nanoTime() - redisDownUntil.get() >= 0;
  }

  private void redisFailed(String operation, Exception e) {
    stats.redisErrors.incrementAndGet();
    redisDownUntil.set(System.nanoTime() + REDIS_BACKOFF_NANOS);
    LOG.warn(
        "redis unavailable op={} error=\"{}\"; using the database for {}s",
        operation,
        e.getMessage(),
        TimeUnit.NANOSECONDS.toSeconds(REDIS_BACKOFF_NANOS));
  }

  private Response await(io.vertx.core.Future<Response> future) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(redisTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for redis", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          e.getCause() == null ? e.toString() : e.getCause().getMessage(), e);
    }
  }

  private String key(String hostKey, String sourcePath) {
    return keyPrefix + "route:" + hostKey + "|" + sourcePath;
  }
}
