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
 * @param filters enabled filter rules, already in evaluation order (priority, then id)
 * @param apiKeys API keys by their SHA-256 hash
 */
public record GatewayConfig(long revision, RouteTable routes, List<FilterRule> filters, Map<String, ApiKey> apiKeys) {
  public static final Comparator<FilterRule> EVALUATION_ORDER =
      Comparator.comparingInt(FilterRule::priority).thenComparing(FilterRule::id);

  // after EVALUATION_ORDER: the constructor sorts with it, and statics initialise in text order
  public static final GatewayConfig EMPTY = new GatewayConfig(0, RouteTable.EMPTY, List.of(), Map.of());

  public GatewayConfig {
    filters = filters.stream().filter(FilterRule::enabled).sorted(EVALUATION_ORDER).toList();
    apiKeys = Map.copyOf(apiKeys);
  }
}
