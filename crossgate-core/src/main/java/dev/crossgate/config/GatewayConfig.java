package dev.crossgate.config;

import dev.crossgate.filter.FilterRule;
import dev.crossgate.route.RouteTable;
import dev.crossgate.tenant.ApiKey;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Everything a gateway node serves from, as one immutable snapshot at one change-log revision.
 * A node holds exactly one reference to the current snapshot and swaps it whole.
 *
 * @param filters enabled filter rules in evaluation order (priority, then id); disabled rules are
 *     not part of a node's configuration
 * @param apiKeys API keys by their SHA-256 hash
 * @param hash the {@link ConfigHash} of the routes, filters and keys; equal configurations have
 *     equal hashes on every node
 */
public record GatewayConfig(long revision, RouteTable routes, List<FilterRule> filters, Map<String, ApiKey> apiKeys,
    long hash) {

  public static final Comparator<FilterRule> EVALUATION_ORDER =
      Comparator.comparingInt(FilterRule::priority).thenComparing(FilterRule::id);

  public static final GatewayConfig EMPTY = new GatewayConfig(0, RouteTable.EMPTY, List.of(), Map.of());

  public GatewayConfig {
    filters = filters.stream().filter(FilterRule::enabled).sorted(EVALUATION_ORDER).toList();
    apiKeys = Map.copyOf(apiKeys);
  }

  /** A snapshot with its hash computed from scratch (cost grows with the configuration). */
  public GatewayConfig(long revision, RouteTable routes, List<FilterRule> filters, Map<String, ApiKey> apiKeys) {
    this(revision, routes, filters, apiKeys, ConfigHash.of(routes.routes(),
        filters.stream().filter(FilterRule::enabled).toList(), apiKeys.values()));
  }

  public String hashHex() {
    return ConfigHash.hex(hash);
  }
}
