package dev.crossgate.gateway.limit;

import dev.crossgate.retry.Backoff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one rate limiter: token buckets in Redis, shared by every node, or in this node's
 * memory without Redis.
 *
 * <p>With Redis, each request's counters are taken by one Lua script ({@code token-bucket.lua}) run
 * with {@code EVALSHA}, falling back to {@code EVAL} on {@code NOSCRIPT} (a restarted or flushed
 * Redis), which loads it again. A call that fails or takes longer than the options' timeout is
 * counted in this node's memory instead, each limit divided by the number of nodes, and Redis is
 * left alone for the project's back-off ({@link Backoff}) before one request tries it again; while
 * it is down no request waits for it. Requests are never blocked or refused because Redis is.
 *
 * <p>Thread-safe; futures complete on the calling event loop's context or Redis's.
 */
public final class RateLimiter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
  static final String SCRIPT = script();
  static final String SCRIPT_SHA = sha1(SCRIPT);

  private final Redis client;
  private final RedisAPI redis;
  private final RateLimitOptions options;
  private final TokenBuckets local;
  private final Backoff backoff;
  private final LongSupplier nanoClock;
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile long sharedAgainAt;
  private volatile int failures;

  private RateLimiter(Redis client, RateLimitOptions options, LongSupplier nanoClock) {
    this.client = client;
    this.redis = client == null ? null : RedisAPI.api(client);
    this.options = options;
    this.local = new TokenBuckets(nanoClock);
    this.backoff =
        Backoff.of(
            java.time.Duration.ofMillis(100),
            java.time.Duration.ofSeconds(5),
            java.time.Duration.ZERO);
    this.nanoClock = nanoClock;
  }

  /** Counting as {@code options} say: in Redis when it names one, else in memory. */
  public static RateLimiter create(Vertx vertx, RateLimitOptions options) {
    var client =
        options.redisUri() == null
            ? null
            : Redis.createClient(
                vertx,
                new RedisOptions()
                    .setConnectionString(options.redisUri())
                    .setMaxPoolSize(8)
                    .setMaxPoolWaiting(1_024));
    return new RateLimiter(client, options, System::nanoTime);
  }

  /**
   * Connects to Redis and loads the script, so that the first requests do not spend their timeout
   * on a connection handshake. Never fails: an unreachable Redis is counted around like any outage.
   */
  public Future<Void> connect() {
    if (redis == null) {
      return Future.succeededFuture();
    }
    return redis
        .script(List.of("LOAD", SCRIPT))
        .<Void>mapEmpty()
        .recover(
            e -> {
              sharedDown(e);
              return Future.succeededFuture();
            });
  }

  /** Whether counters are shared through Redis right now (false without Redis or while down). */
  public boolean shared() {
    return redis != null && failures == 0;
  }

  /** Takes one token from each of {@code counters} (none when any is empty). */
  public Future<RateLimitVerdict> take(List<Counter> counters) {
    if (redis == null) {
      return Future.succeededFuture(local.take(counters, 1));
    }
    if (failures > 0
        && (nanoClock.getAsLong() - sharedAgainAt < 0 || !probing.compareAndSet(false, true))) {
      return Future.succeededFuture(local.take(counters, options.nodes()));
    }
    return takeShared(counters)
        .timeout(options.redisTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .transform(
            ar -> {
              if (failures > 0) {
                probing.set(false);
              }
              if (ar.succeeded()) {
                if (failures > 0) {
                  failures = 0;
                  LOG.info("event=rate-limit-shared-again counting=redis");
                }
                return Future.succeededFuture(ar.result());
              }
              sharedDown(ar.cause());
              return Future.succeededFuture(local.take(counters, options.nodes()));
            });
  }

  private synchronized void sharedDown(Throwable cause) {
    long now = nanoClock.getAsLong();
    if (failures > 0 && now - sharedAgainAt < 0) {
      return; // a call that was in flight when Redis went: this outage is counted already
    }
    if (failures == 0) {
      LOG.warn(
          "event=rate-limit-redis-unavailable counting=local share=1/{} cause=\"{}\"",
          options.nodes(),
          cause.toString());
    }
    sharedAgainAt = now + backoff.delay(failures).toNanos();
    failures++;
  }

  private Future<RateLimitVerdict> takeShared(List<Counter> counters) {
    var args = new ArrayList<String>(2 + counters.size() * 4);
    args.add(SCRIPT_SHA);
    args.add(String.valueOf(counters.size()));
    for (var c : counters) {
      args.add(options.keyPrefix() + c.key());
    }
    for (var c : counters) {
      args.add(String.valueOf(c.perSecond(1)));
      args.add(String.valueOf((long) c.capacity(1)));
      args.add(String.valueOf(keyLifetimeMillis(c)));
    }
    return redis
        .evalsha(args)
        .recover(
            e -> {
              if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
                return Future.failedFuture(e);
              }
              var withScript = new ArrayList<>(args);
              withScript.set(0, SCRIPT);
              return redis.eval(withScript);
            })
        .map(response -> verdict(counters, response));
  }

  /** Until a bucket would be full again anyway (then it is the same as no key), plus a second. */
  static long keyLifetimeMillis(Counter c) {
    return (long) Math.ceil(c.capacity(1) / c.perSecond(1) * 1000) + 1_000;
  }

  private static RateLimitVerdict verdict(List<Counter> counters, Response response) {
    var tokens = new double[counters.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = Double.parseDouble(response.get(i + 1).toString());
    }
    return RateLimitVerdict.of(counters, tokens, response.get(0).toInteger() == 1, 1);
  }

  /** Drops the in-memory buckets that have refilled; call about every 30 s. */
  public void evictFull() {
    local.evictFull();
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }

  private static String script() {
    try (InputStream in = RateLimiter.class.getResourceAsStream("token-bucket.lua")) {
      if (in == null) {
        throw new IllegalStateException("token-bucket.lua is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
