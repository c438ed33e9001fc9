package dev.crossgate.gateway.auth;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.crossgate.egress.EgressClient;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.egress.EgressUrl;
import dev.crossgate.json.Json;
import dev.crossgate.tenant.TokenIssuer;
import dev.crossgate.tenant.TokenIssuerValidator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys each token issuer signs with, for one node: inline keys as registered, or a JWK Set
 * fetched from the issuer's {@code jwksUrl} (or the {@code jwks_uri} of its OpenID configuration)
 * through the {@link EgressClient}, so an issuer URL on an internal address is refused as every
 * tenant-chosen outbound call is. A fetched set is kept for its {@code Cache-Control: max-age},
 * bounded by {@link TokenOptions}; a token naming an unknown {@code kid} refetches it at most once
 * per {@link TokenOptions#unknownKeyRefresh()} per issuer, so forged {@code kid}s cannot make the
 * node hammer the issuer. One fetch per issuer is in flight at a time; concurrent callers share it.
 * A failed fetch keeps serving the keys fetched before (logged), if any.
 *
 * <p>Thread-safe, shared by the node's event loops; never blocks. Futures complete on the calling
 * request's context.
 */
public final class IssuerKeys {
  private static final Logger LOG = LoggerFactory.getLogger(IssuerKeys.class);
  private static final Pattern MAX_AGE = Pattern.compile("(?:^|[,\\s])max-age\\s*=\\s*\"?(\\d+)");

  private final Vertx vertx;
  private final HttpClient client;
  private final EgressClient egress;
  private final TokenOptions options;

  /**
   * Per issuer id. An entry nobody asked for during {@link TokenOptions#maxKeyCache()} (the longest
   * a fetched set is trusted anyway) is forgotten, so issuers that were deleted or renamed do not
   * stay in memory for the node's lifetime.
   */
  private final ConcurrentMap<String, Cached> cache;

  private final ConcurrentHashMap<String, Future<Cached>> fetching = new ConcurrentHashMap<>();

  /** When each issuer's keys were last refetched for an unknown kid (nanos); forgotten alike. */
  private final ConcurrentMap<String, Long> refreshedAt;

  /**
   * What is known of one issuer's keys.
   *
   * @param source what the keys came from (the inline keys, a URL, or discovery): a changed
   *     registration is not served from an entry of the old one
   * @param failure why the last fetch failed when no keys were ever fetched, else null
   */
  private record Cached(
      Object source, JWKSet keys, long fetchedAt, long expiresAt, String failure) {}

  /** The issuer's keys could not be had; the message is for the operator's log. */
  static final class KeysUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KeysUnavailable(String message) {
      super(message, null, false, false);
    }
  }

  IssuerKeys(
      Vertx vertx, HttpClient client, EgressPolicy policy, TokenOptions options, Ticker ticker) {
    this.vertx = vertx;
    this.client = client;
    this.egress = EgressClient.create(vertx, client, policy);
    this.options = options;
    this.cache = forgetting(options, ticker);
    this.refreshedAt = forgetting(options, ticker);
  }

  private static <V> ConcurrentMap<String, V> forgetting(TokenOptions options, Ticker ticker) {
    return Caffeine.newBuilder()
        .expireAfterAccess(options.maxKeyCache())
        .ticker(ticker)
        .<String, V>build()
        .asMap();
  }

  /** How many issuers' keys are held now (expired entries dropped first). */
  int issuersHeld() {
    return (int) cache.entrySet().stream().count();
  }

  /**
   * Key sets of the node on {@code vertx}, fetched under {@code policy} on a small client of their
   * own (never pooled with upstream traffic). Enumerates interface addresses: call at wiring time.
   */
  public static IssuerKeys create(Vertx vertx, EgressPolicy policy, TokenOptions options) {
    return new IssuerKeys(
        vertx,
        vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(4)),
        policy,
        options,
        Ticker.systemTicker());
  }

  /** Closes the client key sets are fetched on. */
  public Future<Void> close() {
    return client.close();
  }

  public EgressClient egress() {
    return egress;
  }

  /** The keys to verify {@code issuer}'s tokens with: cached, or fetched when stale. */
  public Future<JWKSet> keys(TokenIssuer issuer) {
    var source = source(issuer);
    var cached = cache.get(issuer.id());
    if (cached != null && cached.source().equals(source)) {
      if (issuer.inlineKeys() || System.nanoTime() - cached.expiresAt() < 0) {
        return usable(cached);
      }
    }
    if (issuer.inlineKeys()) {
      var inline = new Cached(source, parse(issuer.keys()), 0, Long.MAX_VALUE, null);
      cache.put(issuer.id(), inline);
      return Future.succeededFuture(inline.keys());
    }
    return fetch(issuer, source, cached);
  }

  /**
   * After a token named a key the set lacks: the refetched set, or null when the set was refetched
   * for an unknown key within {@link TokenOptions#unknownKeyRefresh()} already, or is inline.
   */
  public Future<JWKSet> refreshed(TokenIssuer issuer) {
    if (issuer.inlineKeys()) {
      return Future.succeededFuture();
    }
    long now = System.nanoTime();
    long interval = options.unknownKeyRefresh().toNanos();
    var last = refreshedAt.get(issuer.id());
    if (last != null && now - last < interval) {
      return Future.succeededFuture();
    }
    // one caller per interval wins the refresh; the others see the window as taken
    boolean won =
        last == null
            ? refreshedAt.putIfAbsent(issuer.id(), now) == null
            : refreshedAt.replace(issuer.id(), last, now);
    if (!won) {
      return Future.succeededFuture();
    }
    return fetch(issuer, source(issuer), cache.get(issuer.id()));
  }

  private Future<JWKSet> usable(Cached cached) {
    if (cached.failure() != null) {
      return Future.failedFuture(new KeysUnavailable(cached.failure()));
    }
    return Future.succeededFuture(cached.keys());
  }

  private static Object source(TokenIssuer issuer) {
    if (issuer.inlineKeys()) {
      return issuer.keys();
    }
    return issuer.jwksUrl() != null ? issuer.jwksUrl() : "discover:" + issuer.issuer();
  }

  private Future<JWKSet> fetch(TokenIssuer issuer, Object source, Cached previous) {
    var promise = Promise.<Cached>promise();
    var running = fetching.putIfAbsent(issuer.id(), promise.future());
    if (running == null) {
      running = promise.future();
      jwksUrl(issuer)
          .compose(
              url ->
                  egress
                      .fetchAnswer(url, options.maxKeySetBytes(), options.fetchTimeout().toMillis())
                      .map(answer -> fetched(issuer, source, url, answer)))
          .recover(e -> Future.succeededFuture(failed(issuer, source, previous, e)))
          .onComplete(
              ar -> {
                cache.put(issuer.id(), ar.result());
                fetching.remove(issuer.id());
                promise.complete(ar.result());
              });
    }
    // back on the calling request's event loop, whichever loop ran the fetch
    var context = (ContextInternal) vertx.getOrCreateContext();
    var here = context.<Cached>promise();
    running.onComplete(here);
    return here.future().compose(this::usable);
  }

  private Cached fetched(
      TokenIssuer issuer, Object source, String url, EgressClient.Fetched answer) {
    JWKSet set;
    try {
      set = JWKSet.parse(answer.body().toString(StandardCharsets.UTF_8));
    } catch (java.text.ParseException e) {
      throw new KeysUnavailable("the key set at " + url + " is not a JWK Set: " + e.getMessage());
    }
    var usable = new ArrayList<JWK>();
    for (var key : set.getKeys()) {
      if (TokenIssuerValidator.unusable(key) == null) {
        usable.add(key);
      }
    }
    long ttl = keptFor(answer.headers().get("cache-control"), options).toNanos();
    long now = System.nanoTime();
    LOG.info(
        "event=issuer-keys-fetched issuer={} keys={} ignored={} cacheSeconds={}",
        issuer.id(),
        usable.size(),
        set.getKeys().size() - usable.size(),
        ttl / 1_000_000_000L);
    return new Cached(source, new JWKSet(usable), now, now + ttl, null);
  }

  private Cached failed(TokenIssuer issuer, Object source, Cached previous, Throwable cause) {
    long now = System.nanoTime();
    LOG.warn(
        "event=issuer-keys-fetch-failed issuer={} cause=\"{}\" keptPrevious={}",
        issuer.id(),
        cause.getMessage(),
        previous != null && previous.failure() == null);
    // a failure counts as a fetch: retried after the refresh interval, not on every request
    long retry = now + options.unknownKeyRefresh().toNanos();
    if (previous != null && previous.failure() == null && previous.source().equals(source)) {
      return new Cached(source, previous.keys(), now, retry, null);
    }
    return new Cached(
        source, new JWKSet(), now, retry, "the keys of issuer " + issuer.id() + " are unavailable");
  }

  /** Where the issuer's key set is: its jwksUrl, or its OpenID configuration's jwks_uri. */
  private Future<String> jwksUrl(TokenIssuer issuer) {
    if (issuer.jwksUrl() != null) {
      return Future.succeededFuture(issuer.jwksUrl());
    }
    var base = issuer.issuer().replaceAll("/+$", "");
    var url = base + "/.well-known/openid-configuration";
    return egress
        .fetch(url, options.maxKeySetBytes(), options.fetchTimeout().toMillis())
        .map(
            body -> {
              com.fasterxml.jackson.databind.JsonNode document;
              try {
                document = Json.mapper().readTree(body.getBytes());
              } catch (java.io.IOException e) {
                throw new KeysUnavailable(url + " is not JSON");
              }
              // OpenID Connect Discovery 1.0 section 4.3: the document must name the same issuer
              if (!issuer.issuer().equals(document.path("issuer").asText(null))) {
                throw new KeysUnavailable(url + " names another issuer");
              }
              var jwks = document.path("jwks_uri").asText(null);
              try {
                EgressUrl.parse(jwks);
              } catch (IllegalArgumentException | NullPointerException e) {
                throw new KeysUnavailable(url + " has no http(s) jwks_uri");
              }
              return jwks;
            });
  }

  /**
   * How long a key set answered with {@code cacheControl} is kept: its {@code max-age} (RFC 9111
   * section 5.2.2.1; {@code no-store} and {@code no-cache} as 0), else the default, bounded by
   * {@code options}.
   */
  static java.time.Duration keptFor(String cacheControl, TokenOptions options) {
    var ttl = options.defaultKeyCache();
    if (cacheControl != null) {
      var lower = cacheControl.toLowerCase(Locale.ROOT);
      var m = MAX_AGE.matcher(lower);
      if (lower.contains("no-store") || lower.contains("no-cache")) {
        ttl = java.time.Duration.ZERO;
      } else if (m.find()) {
        try {
          ttl = java.time.Duration.ofSeconds(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
          ttl = options.maxKeyCache(); // more digits than a long: as long as allowed
        }
      }
    }
    if (ttl.compareTo(options.minKeyCache()) < 0) {
      return options.minKeyCache();
    }
    return ttl.compareTo(options.maxKeyCache()) > 0 ? options.maxKeyCache() : ttl;
  }

  private static JWKSet parse(List<java.util.Map<String, Object>> keys) {
    var out = new ArrayList<JWK>();
    for (var key : keys) {
      try {
        out.add(JWK.parse(key));
      } catch (java.text.ParseException e) {
        // validated when registered: a key that no longer parses is left out
        LOG.warn("event=issuer-key-unreadable cause=\"{}\"", e.getMessage());
      }
    }
    return new JWKSet(out);
  }
}
