package dev.crossgate.store.cache;

import static dev.crossgate.store.route.RouteSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.route.Route;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.store.route.RouteRepository;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouteCacheTest {
  private Vertx vertx;
  private TestDatabases.Handle db;
  private RouteRepository routes;
  private final AtomicReference<RouteCache> invalidates = new AtomicReference<>();
  private final String prefix = "cgtest:" + UUID.randomUUID() + ":";
  private RedisAPI shared;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    db = TestDatabases.postgres();
    routes =
        new RouteRepository(
            db.database(),
            new ChangeLog(db.database()),
            Clock.systemUTC(),
            r -> {
              var cache = invalidates.get();
              if (cache != null) {
                cache.invalidate(r);
              }
            });
    shared = RedisAPI.api(Redis.createClient(vertx, RedisServers.sharedUri()));
  }

  @AfterEach
  void tearDown() throws Exception {
    var keys = get(shared.keys(prefix + "*"));
    if (keys.size() > 0) {
      get(shared.del(keys.stream().map(Object::toString).toList()));
    }
    db.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private RouteCache cache(RedisAPI redis, Duration ttl) {
    return new RouteCache(
        routes::enabledAt, redis, prefix, ttl, Duration.ofMinutes(1), Duration.ofMillis(500));
  }

  @Test
  void aMissLoadsFromTheDatabaseAndAnotherInstanceThenHitsRedis() throws Exception {
    var created = routes.create(spec("/shop", "v1"), "alice");
    var first = cache(shared, Duration.ofHours(1));
    var second = cache(shared, Duration.ofHours(1));

    var fromDatabase = first.routesAt("", "/shop");
    var fromRedis = second.routesAt("", "/shop");

    assertThat(fromDatabase).extracting(Route::id).containsExactly(created.id());
    assertThat(fromRedis).isEqualTo(fromDatabase);
    assertThat(first.stats().redisMisses.get()).isEqualTo(1);
    assertThat(first.stats().databaseLoads.get()).isEqualTo(1);
    assertThat(second.stats().redisHits.get()).isEqualTo(1);
    assertThat(second.stats().databaseLoads.get()).isZero();
    var ttl = get(shared.ttl(prefix + "route:|/shop")).toLong();
    assertThat(ttl).isBetween(3500L, 3600L);
  }

  @Test
  void everyChangeInvalidatesTheSourceItTouched() {
    var cache = cache(shared, Duration.ofHours(1));
    invalidates.set(cache);
    var v1 = routes.create(spec("/shop", "v1"), "alice");
    assertThat(cache.routesAt("", "/shop")).extracting(Route::id).containsExactly(v1.id());

    var v2 = routes.create(spec("/shop", "v2"), "alice");
    routes.delete(v1.id(), "alice", null);

    assertThat(cache.routesAt("", "/shop")).extracting(Route::id).containsExactly(v2.id());
    assertThat(cache(shared, Duration.ofHours(1)).routesAt("", "/shop"))
        .extracting(Route::id)
        .containsExactly(v2.id());
  }

  @Test
  void whenRedisGoesDownTheDatabaseAnswers() throws Exception {
    var redis = new RedisServers.Private();
    var cache = cache(RedisAPI.api(Redis.createClient(vertx, redis.uri())), Duration.ofHours(1));
    var before = routes.create(spec("/shop", "v1"), "alice");
    assertThat(cache.routesAt("", "/shop")).hasSize(1);

    redis.close();
    var after = routes.create(spec("/shop", "v2"), "alice");
    cache.invalidate(after);

    assertThat(cache.routesAt("", "/shop"))
        .extracting(Route::id)
        .containsExactlyInAnyOrder(before.id(), after.id());
    assertThat(cache.routesAt("", "/other")).isEmpty();
    assertThat(cache.stats().redisErrors.get()).isPositive();
  }

  @Test
  void entriesExpireAfterTheirTtl() throws Exception {
    routes.create(spec("/shop", "v1"), "alice");
    var cache = cache(shared, Duration.ofSeconds(1));

    cache.routesAt("", "/shop");

    assertThat(get(shared.exists(List.of(prefix + "route:|/shop"))).toInteger()).isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> get(shared.exists(List.of(prefix + "route:|/shop"))).toInteger() == 0);
  }

  @Test
  void refreshRewritesEntriesChangedBehindTheCachesBack() throws Exception {
    var created = routes.create(spec("/shop", "v1"), "alice");
    var cache = cache(shared, Duration.ofHours(1));
    cache.routesAt("", "/shop");
    get(shared.set(List.of(prefix + "route:|/shop", "[]", "EX", "3600")));
    assertThat(cache(shared, Duration.ofHours(1)).routesAt("", "/shop")).isEmpty();

    int refreshed = cache.refresh();

    assertThat(refreshed).isEqualTo(1);
    assertThat(cache(shared, Duration.ofHours(1)).routesAt("", "/shop"))
        .extracting(Route::id)
        .containsExactly(created.id());
  }

  private static io.vertx.redis.client.Response get(
      io.vertx.core.Future<io.vertx.redis.client.Response> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
