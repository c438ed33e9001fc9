package dev.crossgate.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.id.Ids;
import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.ratelimit.RateLimit.Scope;
import dev.crossgate.ratelimit.RateLimit.Window;
import dev.crossgate.store.cache.RedisServers;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shared token buckets' Lua script on a real Redis: the shared server under a key prefix of the
 * test's own (its keys deleted afterwards), or a private redis-server for outages.
 */
class RateLimiterTest {
  private final Vertx vertx = Vertx.vertx();
  private final String prefix = "crossgate-test:" + Ids.randomToken(6) + ":";
  private final RateLimit tenPerHour = new RateLimit(Scope.TENANT, 10, Window.HOUR, 10);

  @AfterEach
  void cleanUp() {
    var redis = RedisAPI.api(Redis.createClient(vertx, RedisServers.sharedUri()));
    var keys = GatewayKit.await(redis.keys(prefix + "*"));
    if (keys.size() > 0) {
      GatewayKit.await(redis.del(keys.stream().map(Object::toString).toList()));
    }
    redis.close();
    GatewayKit.await(vertx.close());
  }

  private RateLimiter limiter(String uri, int nodes) {
    var limiter =
        RateLimiter.create(vertx, new RateLimitOptions(uri, prefix, Duration.ofMillis(200), nodes));
    GatewayKit.await(limiter.connect());
    return limiter;
  }

  private static int allowed(RateLimiter limiter, Counter counter, int requests) {
    int allowed = 0;
    for (int i = 0; i < requests; i++) {
      allowed += GatewayKit.await(limiter.take(List.of(counter))).allowed() ? 1 : 0;
    }
    return allowed;
  }

  @Test
  void twoNodesTakeFromOneBucketInRedis() {
    var counter = new Counter("rt_a:TENANT:1h:acme", tenPerHour);
    try (var node1 = limiter(RedisServers.sharedUri(), 2);
        var node2 = limiter(RedisServers.sharedUri(), 2)) {

      int first = allowed(node1, counter, 6);
      int second = allowed(node2, counter, 6);
      var refused = GatewayKit.await(node1.take(List.of(counter)));

      assertThat(first + second).isEqualTo(10);
      assertThat(refused.allowed()).isFalse();
      assertThat(refused.retryAfterSeconds()).isBetween(1L, 360L);
      assertThat(node1.shared()).isTrue();
    }
  }

  @Test
  void bucketKeysCarryThePrefixAndExpireOnceTheyWouldBeFull() {
    var counter = new Counter("rt_a:ROUTE:1s:", new RateLimit(Scope.ROUTE, 5, Window.SECOND, 5));
    try (var node = limiter(RedisServers.sharedUri(), 1)) {

      allowed(node, counter, 1);

      var redis = RedisAPI.api(Redis.createClient(vertx, RedisServers.sharedUri()));
      long ttl = GatewayKit.await(redis.pttl(prefix + counter.key())).toLong();
      redis.close();
      assertThat(ttl).as("1 s to refill, plus a second").isBetween(1L, 2_000L);
    }
  }

  @Test
  void anOutageIsCountedLocallyAtTheNodesShareThenRedisCountsAgain() throws Exception {
    var counter = new Counter("rt_a:TENANT:1h:acme", tenPerHour);
    var other = new Counter("rt_a:TENANT:1h:other", tenPerHour);
    var redis = new RedisServers.Private();
    int port = redis.port;
    try (var node = limiter(redis.uri(), 2)) {
      assertThat(allowed(node, counter, 1)).isEqualTo(1);
      // a flushed script cache (as after a restart) is answered NOSCRIPT: the script is sent again
      var admin = RedisAPI.api(Redis.createClient(vertx, redis.uri()));
      GatewayKit.await(admin.script(List.of("FLUSH")));
      admin.close();
      assertThat(allowed(node, counter, 1)).isEqualTo(1);

      redis.close();

      assertThat(allowed(node, other, 10)).as("half of 10, counted on this node").isEqualTo(5);
      assertThat(node.shared()).isFalse();

      redis = new RedisServers.Private(port);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                GatewayKit.await(node.take(List.of(counter)));
                return node.shared();
              });
      // the bucket in the restarted (empty) Redis: full again, shared by every node
      assertThat(allowed(node, other, 12)).isEqualTo(10);
    } finally {
      redis.close();
    }
  }
}
