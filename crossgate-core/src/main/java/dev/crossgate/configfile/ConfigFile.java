package dev.crossgate.configfile;

import dev.crossgate.extension.ExtensionSpec;
import dev.crossgate.filter.FilterSpec;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.tenant.TenantSpec;
import dev.crossgate.upstream.UpstreamSpec;
import java.util.List;

/**
 * A configuration file ({@code apiVersion: crossgate/v1}) as submitted: the same specs the Admin
 * API takes, identified by natural keys instead of server ids (routes by service, host, path and
 * version; filters by name; tenants and upstreams by id; extensions by tenant and id). Entries keep
 * their file order so that errors name {@code routes[3]}.
 */
public record ConfigFile(
    List<RouteSpec> routes,
    List<FilterSpec> filters,
    List<TenantSpec> tenants,
    List<ExtensionEntry> extensions,
    List<UpstreamSpec> upstreams) {

  /** The only version of the file format. */
  public static final String API_VERSION = "crossgate/v1";

  /** An extension of the registry: its spec and the key the Admin API takes from the path. */
  public record ExtensionEntry(String tenant, String id, ExtensionSpec spec) {}

  public ConfigFile {
    routes = copy(routes);
    filters = copy(filters);
    tenants = copy(tenants);
    extensions = copy(extensions);
    upstreams = copy(upstreams);
  }

  /**
   * The file as the JSON document {@code PUT /admin/config} takes (secret references already
   * resolved by whoever read it).
   */
  public com.fasterxml.jackson.databind.node.ObjectNode document() {
    var mapper = dev.crossgate.json.Json.mapper();
    var doc = mapper.createObjectNode().put("apiVersion", API_VERSION);
    doc.set(ConfigSection.TENANTS.field(), mapper.valueToTree(tenants));
    var entries = doc.putArray(ConfigSection.EXTENSIONS.field());
    for (var e : extensions) {
      var node = mapper.createObjectNode().put("tenant", e.tenant()).put("id", e.id());
      node.setAll((com.fasterxml.jackson.databind.node.ObjectNode) mapper.valueToTree(e.spec()));
      entries.add(node);
    }
    doc.set(ConfigSection.FILTERS.field(), mapper.valueToTree(filters));
    doc.set(ConfigSection.UPSTREAMS.field(), mapper.valueToTree(upstreams));
    doc.set(ConfigSection.ROUTES.field(), mapper.valueToTree(routes));
    return doc;
  }

  /** Entries may be null (reported by the validator), which List.copyOf refuses. */
  private static <T> List<T> copy(List<T> entries) {
    return entries == null
        ? List.of()
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(entries));
  }
}
