package dev.crossgate.config;

import dev.crossgate.extension.Extension;
import dev.crossgate.filter.FilterRule;
import dev.crossgate.json.Json;
import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.route.Route;
import dev.crossgate.tenant.ApiKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;

/**
 * The fingerprint of a configuration: the sum (mod 2^64) of a SHA-256-derived hash of every entity.
 * A sum is order-independent and updatable per change (subtract the old entity, add the new one),
 * so a node keeps it current at the cost of the entities a delta touches, and two nodes with the
 * same entities always agree, whatever order they applied them in. Rendered as 16 hex digits.
 */
public final class ConfigHash {
  private ConfigHash() {}

  public static long of(
      Collection<Route> routes, Collection<FilterRule> filters, Collection<ApiKey> keys) {
    long sum = 0;
    for (var r : routes) {
      sum += route(r);
    }
    for (var f : filters) {
      sum += filter(f);
    }
    for (var k : keys) {
      sum += key(k);
    }
    return sum;
  }

  public static long route(Route r) {
    return entity("ROUTE", r.id(), r);
  }

  public static long filter(FilterRule f) {
    return entity("FILTER", f.id(), f);
  }

  public static long key(ApiKey k) {
    return entity("API_KEY", k.id(), k);
  }

  public static long clientCertificate(dev.crossgate.tenant.TenantCertificate c) {
    return entity("CLIENT_CERT", c.id(), c);
  }

  public static long clientCertificates(
      Collection<dev.crossgate.tenant.TenantCertificate> certificates) {
    long sum = 0;
    for (var c : certificates) {
      sum += clientCertificate(c);
    }
    return sum;
  }

  public static long extension(Extension e) {
    return entity("EXTENSION", e.key(), e);
  }

  /** A disabled tenant counts as an entity of its own: nodes that miss the change disagree. */
  public static long disabledTenant(String tenantId) {
    return entity("TENANT_DISABLED", tenantId, tenantId);
  }

  /** A tenant's rate-limit policies count as an entity of their own, like a switched-off tenant. */
  public static long tenantRateLimits(String tenantId, java.util.List<RateLimit> policies) {
    return entity("TENANT_RATE_LIMITS", tenantId, policies);
  }

  public static long tenantRateLimits(java.util.Map<String, java.util.List<RateLimit>> byTenant) {
    long sum = 0;
    for (var e : byTenant.entrySet()) {
      sum += tenantRateLimits(e.getKey(), e.getValue());
    }
    return sum;
  }

  public static long disabledTenants(Collection<String> tenantIds) {
    long sum = 0;
    for (var t : tenantIds) {
      sum += disabledTenant(t);
    }
    return sum;
  }

  public static long extensions(Collection<Extension> extensions) {
    long sum = 0;
    for (var e : extensions) {
      sum += extension(e);
    }
    return sum;
  }

  public static long upstream(dev.crossgate.upstream.Upstream u) {
    return entity("UPSTREAM", u.id(), u);
  }

  public static long upstreams(Collection<dev.crossgate.upstream.Upstream> upstreams) {
    long sum = 0;
    for (var u : upstreams) {
      sum += upstream(u);
    }
    return sum;
  }

  public static long issuer(dev.crossgate.tenant.TokenIssuer i) {
    return entity("ISSUER", i.id(), i);
  }

  public static long issuers(Collection<dev.crossgate.tenant.TokenIssuer> issuers) {
    long sum = 0;
    for (var i : issuers) {
      sum += issuer(i);
    }
    return sum;
  }

  public static String hex(long hash) {
    return String.format("%016x", hash);
  }

  private static long entity(String type, String id, Object body) {
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      digest.update((type + ":" + id + ":").getBytes(StandardCharsets.UTF_8));
      digest.update(Json.writeBytes(body));
      return ByteBuffer.wrap(digest.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
