package dev.crossgate.configfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ExtensionSpec;
import dev.crossgate.extension.ExtensionValidator;
import dev.crossgate.filter.FilterRule;
import dev.crossgate.filter.FilterSpec;
import dev.crossgate.filter.FilterValidator;
import dev.crossgate.json.Json;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.route.RouteValidator;
import dev.crossgate.tenant.Tenant;
import dev.crossgate.upstream.Upstream;
import dev.crossgate.upstream.UpstreamSpec;
import dev.crossgate.upstream.UpstreamValidator;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Entities in their file form: validated values without what the server sets (ids, creators, times,
 * revisions). Two entities are the same configuration exactly when their full forms are equal; that
 * is what makes a second apply of a file a no-op. Exports leave out fields whose value is the
 * default, taking the defaults from the validators themselves (an entry with only its required
 * fields, validated), so that a default changed in a validator is not frozen into files.
 */
public final class ConfigForms {
  private static final Set<String> ROUTE_KEPT =
      Set.of("service", "sourceHost", "sourcePath", "version", "targetUrl", "upstream");
  private static final Set<String> FILTER_KEPT = Set.of("name", "kind", "value", "header");
  private static final Set<String> TENANT_KEPT = Set.of("id", "name");
  private static final Set<String> EXTENSION_KEPT =
      Set.of("tenant", "id", "point", "endpoint", "versions");
  private static final Set<String> UPSTREAM_KEPT = Set.of("id", "targets");

  private ConfigForms() {}

  public static ObjectNode route(Route route) {
    ObjectNode node = Json.mapper().valueToTree(route);
    ConfigFileReader.SERVER_FIELDS.forEach(node::remove);
    return node;
  }

  /** A filter's form; an unnamed rule (made through the API) is named by its id. */
  public static ObjectNode filter(FilterRule rule) {
    ObjectNode node = Json.mapper().valueToTree(rule);
    node.remove(List.of("id", "createdBy", "createdAt", "revision"));
    if (rule.name() == null) {
      node.put("name", rule.id());
    }
    return sorted(node, "name");
  }

  public static ObjectNode tenant(Tenant tenant) {
    var node =
        Json.mapper()
            .createObjectNode()
            .put("id", tenant.id())
            .put("name", tenant.name())
            .put("enabled", tenant.enabled());
    if (tenant.rateLimits() != null) {
      node.set("rateLimits", Json.mapper().valueToTree(tenant.rateLimits()));
    }
    return node;
  }

  public static ObjectNode extension(Extension extension) {
    ObjectNode node = Json.mapper().valueToTree(extension);
    node.remove(List.of("createdAt", "updatedAt", "revision"));
    return node;
  }

  /** An upstream's form; a dns+srv target has no weight of its own (its SRV records give it). */
  public static ObjectNode upstream(Upstream upstream) {
    ObjectNode node = Json.mapper().valueToTree(upstream);
    node.remove(List.of("createdBy", "createdAt", "updatedAt", "revision"));
    for (var target : node.path("targets")) {
      if (Upstream.Target.srvName(target.get("url").asText()) != null) {
        ((ObjectNode) target).remove("weight");
      }
    }
    return node;
  }

  /**
   * A route's natural key: service, host, path and version, e.g. {@code shop api.example.com/orders
   * v1}.
   */
  public static String routeKey(Route route) {
    return route.service()
        + " "
        + (route.sourceHost() == null ? "" : route.sourceHost())
        + route.sourcePath()
        + (route.version() == null ? "" : " " + route.version());
  }

  /**
   * What tells apart routes with the same key (they may split one source by method or path match):
   * e.g. {@code PREFIX GET,HEAD}.
   */
  public static String routeVariant(Route route) {
    return route.pathMatch() + " " + String.join(",", route.methods());
  }

  public static String filterKey(FilterRule rule) {
    return rule.name() == null ? rule.id() : rule.name();
  }

  public static final Comparator<Route> ROUTE_ORDER =
      Comparator.comparing(Route::service)
          .thenComparing(r -> r.sourceHost() == null ? "" : r.sourceHost())
          .thenComparing(Route::sourcePath)
          .thenComparing(r -> r.version() == null ? "" : r.version())
          .thenComparing(ConfigForms::routeVariant);

  public static final Comparator<FilterRule> FILTER_ORDER =
      Comparator.comparingInt(FilterRule::priority).thenComparing(ConfigForms::filterKey);

  /**
   * The export document of a configuration: {@code apiVersion} and every section, entries in a
   * fixed order, default values left out.
   */
  public static ObjectNode document(
      List<Route> routes,
      List<FilterRule> filters,
      List<Tenant> tenants,
      List<Extension> extensions,
      List<Upstream> upstreams) {
    var doc = Json.mapper().createObjectNode().put("apiVersion", ConfigFile.API_VERSION);
    ArrayNode tenantNodes = doc.putArray(ConfigSection.TENANTS.field());
    tenants.stream()
        .sorted(Comparator.comparing(Tenant::id))
        .forEach(t -> tenantNodes.add(withoutDefaults(tenant(t), tenantDefaults(t), TENANT_KEPT)));
    ArrayNode extensionNodes = doc.putArray(ConfigSection.EXTENSIONS.field());
    extensions.stream()
        .sorted(Comparator.comparing(Extension::tenant).thenComparing(Extension::id))
        .forEach(
            e ->
                extensionNodes.add(
                    withoutDefaults(extension(e), extensionDefaults(e), EXTENSION_KEPT)));
    ArrayNode filterNodes = doc.putArray(ConfigSection.FILTERS.field());
    filters.stream()
        .sorted(FILTER_ORDER)
        .forEach(f -> filterNodes.add(withoutDefaults(filter(f), filterDefaults(f), FILTER_KEPT)));
    ArrayNode upstreamNodes = doc.putArray(ConfigSection.UPSTREAMS.field());
    upstreams.stream()
        .sorted(Comparator.comparing(Upstream::id))
        .forEach(
            u ->
                upstreamNodes.add(
                    withoutDefaults(upstream(u), upstreamDefaults(u), UPSTREAM_KEPT)));
    ArrayNode routeNodes = doc.putArray(ConfigSection.ROUTES.field());
    routes.stream()
        .sorted(ROUTE_ORDER)
        .forEach(
            r -> routeNodes.add(withoutDefaults(redacted(route(r)), routeDefaults(r), ROUTE_KEPT)));
    return doc;
  }

  /**
   * A route form with its stored secret shown as {@link dev.crossgate.route.StoredSecrets#STORED}.
   */
  public static ObjectNode redacted(ObjectNode route) {
    if (route.get("tls") instanceof ObjectNode tls && tls.hasNonNull("clientKeyPem")) {
      tls.put("clientKeyPem", dev.crossgate.route.StoredSecrets.STORED);
    }
    return route;
  }

  private static ObjectNode withoutDefaults(
      ObjectNode full, ObjectNode defaults, Set<String> kept) {
    var out = full.deepCopy();
    full.fieldNames()
        .forEachRemaining(
            name -> {
              if (!kept.contains(name) && full.get(name).equals(defaults.get(name))) {
                out.remove(name);
              }
            });
    return out;
  }

  private static ObjectNode routeDefaults(Route r) {
    var minimal =
        Json.mapper()
            .createObjectNode()
            .put("service", r.service())
            .put("sourcePath", r.sourcePath())
            .put(r.pooled() ? "upstream" : "targetUrl", r.pooled() ? r.upstream() : r.targetUrl());
    var spec = Json.mapper().convertValue(minimal, RouteSpec.class);
    return route(RouteValidator.validate("default", spec, null, Instant.EPOCH, Instant.EPOCH));
  }

  private static ObjectNode filterDefaults(FilterRule f) {
    var spec =
        new FilterSpec(
            f.name(), null, f.kind().name(), f.value(), f.header(), null, null, null, null, null);
    return filter(FilterValidator.validate(f.id(), spec, null, Instant.EPOCH));
  }

  private static ObjectNode upstreamDefaults(Upstream u) {
    var targets =
        u.targets().stream()
            .map(t -> new UpstreamSpec.TargetSpec(t.url(), t.srvName() == null ? t.weight() : null))
            .toList();
    var spec =
        new UpstreamSpec(u.id(), targets, null, null, null, null, null, null, null, null, null);
    return upstream(UpstreamValidator.validate(u.id(), spec, null, Instant.EPOCH, Instant.EPOCH));
  }

  private static ObjectNode tenantDefaults(Tenant t) {
    return tenant(new Tenant(t.id(), t.name(), true, null, null, 0, null));
  }

  private static ObjectNode extensionDefaults(Extension e) {
    var spec =
        new ExtensionSpec(
            e.point(), e.endpoint(), null, null, null, null, null, e.versions(), null, null);
    return extension(
        ExtensionValidator.validate(e.tenant(), e.id(), spec, Map.of(), Instant.EPOCH));
  }

  /** {@code node} with {@code first} as its first field (a filter is read by its name). */
  private static ObjectNode sorted(ObjectNode node, String first) {
    var out = Json.mapper().createObjectNode();
    JsonNode value = node.get(first);
    if (value != null) {
      out.set(first, value);
    }
    node.properties()
        .forEach(
            f -> {
              if (!f.getKey().equals(first)) {
                out.set(f.getKey(), f.getValue());
              }
            });
    return out;
  }
}
