package dev.crossgate.config;

import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ExtensionRegistry;
import dev.crossgate.filter.FilterRule;
import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.route.RouteTable;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.tenant.TenantCertificate;
import dev.crossgate.tenant.TokenIssuer;
import dev.crossgate.upstream.Upstream;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a gateway node serves from, as one immutable snapshot at one change-log revision. A
 * node holds exactly one reference to the current snapshot and swaps it whole.
 *
 * @param filters enabled filter rules in evaluation order ({@link #EVALUATION_ORDER}); disabled
 *     rules are not part of a node's configuration
 * @param apiKeys API keys by their SHA-256 hash
 * @param hash the {@link ConfigHash} of the routes, filters, keys, extensions and upstreams; equal
 *     configurations have equal hashes on every node
 * @param extensions the tenants' extension registry (empty when not given)
 * @param disabledTenants tenants an operator disabled: their keys are recognised but refused
 * @param clientCertificates certificates tenants registered, by {@link
 *     TenantCertificate#matchKey()}
 * @param upstreams the upstream pools routes may name, by id
 * @param issuers the token issuers tenants registered, by their {@code iss} URL
 * @param tenantRateLimits the rate-limit policies of tenants that have any, by tenant id
 */
public record GatewayConfig(
    long revision,
    RouteTable routes,
    List<FilterRule> filters,
    Map<String, ApiKey> apiKeys,
    long hash,
    ExtensionRegistry extensions,
    Set<String> disabledTenants,
    Map<String, TenantCertificate> clientCertificates,
    Map<String, Upstream> upstreams,
    Map<String, TokenIssuer> issuers,
    Map<String, List<RateLimit>> tenantRateLimits) {

  /**
   * The order filter rules are evaluated in: rules that need no route (global, endpoint) before
   * routing, then service- and route-scoped ones once the route is known; each group by priority,
   * then id.
   */
  public static final Comparator<FilterRule> EVALUATION_ORDER =
      Comparator.comparing((FilterRule f) -> f.scope().afterRouting())
          .thenComparingInt(FilterRule::priority)
          .thenComparing(FilterRule::id);

  public static final GatewayConfig EMPTY =
      new GatewayConfig(0, RouteTable.EMPTY, List.of(), Map.of());

  public GatewayConfig {
    filters = filters.stream().filter(FilterRule::enabled).sorted(EVALUATION_ORDER).toList();
    apiKeys = Map.copyOf(apiKeys);
    extensions = extensions == null ? ExtensionRegistry.EMPTY : extensions;
    disabledTenants = disabledTenants == null ? Set.of() : Set.copyOf(disabledTenants);
    clientCertificates = clientCertificates == null ? Map.of() : Map.copyOf(clientCertificates);
    upstreams = upstreams == null ? Map.of() : Map.copyOf(upstreams);
    issuers = issuers == null ? Map.of() : Map.copyOf(issuers);
    tenantRateLimits = tenantRateLimits == null ? Map.of() : Map.copyOf(tenantRateLimits);
  }

  /**
   * A snapshot of routes, filters and keys only, its hash computed from scratch (cost grows with
   * the configuration).
   */
  public GatewayConfig(
      long revision, RouteTable routes, List<FilterRule> filters, Map<String, ApiKey> apiKeys) {
    this(
        revision, routes, filters, apiKeys, List.of(), List.of(), List.of(), List.of(), List.of(),
        Map.of());
  }

  /** A snapshot of everything, its hash computed from scratch. */
  public GatewayConfig(
      long revision,
      RouteTable routes,
      List<FilterRule> filters,
      Map<String, ApiKey> apiKeys,
      Collection<Extension> extensions,
      Collection<String> disabledTenants,
      Collection<TenantCertificate> clientCertificates,
      Collection<Upstream> upstreams,
      Collection<TokenIssuer> issuers,
      Map<String, List<RateLimit>> tenantRateLimits) {
    this(
        revision,
        routes,
        filters,
        apiKeys,
        ConfigHash.of(
                routes.routes(),
                filters.stream().filter(FilterRule::enabled).toList(),
                apiKeys.values())
            + ConfigHash.extensions(extensions)
            + ConfigHash.disabledTenants(disabledTenants)
            + ConfigHash.clientCertificates(clientCertificates)
            + ConfigHash.upstreams(upstreams)
            + ConfigHash.issuers(issuers)
            + ConfigHash.tenantRateLimits(tenantRateLimits),
        new ExtensionRegistry(extensions),
        Set.copyOf(disabledTenants),
        byMatchKey(clientCertificates),
        byId(upstreams),
        byIssuer(issuers),
        tenantRateLimits);
  }

  /** Token issuers keyed as {@link #issuers()} holds them. */
  public static Map<String, TokenIssuer> byIssuer(Collection<TokenIssuer> issuers) {
    var map = new java.util.HashMap<String, TokenIssuer>();
    issuers.forEach(i -> map.put(i.issuer(), i));
    return map;
  }

  /** The rate-limit policies of {@code tenantId}; empty when it has none. */
  public List<RateLimit> tenantRateLimits(String tenantId) {
    return tenantRateLimits.getOrDefault(tenantId, List.of());
  }

  private static Map<String, Upstream> byId(Collection<Upstream> upstreams) {
    var map = new java.util.HashMap<String, Upstream>();
    upstreams.forEach(u -> map.put(u.id(), u));
    return map;
  }

  /** Registered certificates keyed as {@link #clientCertificates()} holds them. */
  public static Map<String, TenantCertificate> byMatchKey(
      Collection<TenantCertificate> certificates) {
    var map = new java.util.HashMap<String, TenantCertificate>();
    certificates.forEach(c -> map.put(c.matchKey(), c));
    return map;
  }

  /**
   * The registration a verified peer certificate matches, or null: by its public key first (the
   * more specific), then by its subject.
   */
  public TenantCertificate clientCertificate(java.security.cert.X509Certificate peer) {
    for (var key : TenantCertificate.matchKeys(peer)) {
      var registered = clientCertificates.get(key);
      if (registered != null) {
        return registered;
      }
    }
    return null;
  }

  /** True when {@code tenantId} was disabled by an operator. */
  /**
   * This configuration without the routes {@code routeIds}, at the same revision, its hash adjusted
   * (what a node serves when it rejects those routes).
   */
  public GatewayConfig withoutRoutes(java.util.Collection<String> routeIds) {
    long adjusted = hash;
    var present = new java.util.ArrayList<String>();
    for (var id : routeIds) {
      var route = routes.get(id);
      if (route != null) {
        adjusted -= ConfigHash.route(route);
        present.add(id);
      }
    }
    if (present.isEmpty()) {
      return this;
    }
    return new GatewayConfig(
        revision,
        routes.apply(List.of(), present, revision),
        filters,
        apiKeys,
        adjusted,
        extensions,
        disabledTenants,
        clientCertificates,
        upstreams,
        issuers,
        tenantRateLimits);
  }

  public boolean tenantDisabled(String tenantId) {
    return disabledTenants.contains(tenantId);
  }

  /**
   * This configuration at a later {@code revision} whose changes did not concern nodes (audit
   * entries a delta leaves out); itself when {@code revision} is not later.
   */
  public GatewayConfig atRevision(long revision) {
    if (revision <= this.revision) {
      return this;
    }
    return new GatewayConfig(
        revision,
        routes.withRevision(revision),
        filters,
        apiKeys,
        hash,
        extensions,
        disabledTenants,
        clientCertificates,
        upstreams,
        issuers,
        tenantRateLimits);
  }

  public String hashHex() {
    return ConfigHash.hex(hash);
  }
}
