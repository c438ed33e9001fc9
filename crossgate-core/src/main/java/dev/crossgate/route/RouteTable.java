package dev.crossgate.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's immutable, in-memory route index: host key → source path → routes. A change
 * builds a new table and the node swaps one reference, so readers never lock and never see a
 * half-applied change. Disabled routes are left out: they answer 404 like absent ones.
 */
public final class RouteTable implements RouteSource {
  public static final RouteTable EMPTY = new RouteTable(List.of(), 0);

  private final Map<String, Map<String, List<Route>>> byHost;
  private final Map<String, Route> byId;
  private final long revision;

  private RouteTable(Map<String, Map<String, List<Route>>> byHost, Map<String, Route> byId, long revision) {
    this.byHost = byHost;
    this.byId = byId;
    this.revision = revision;
  }

  private RouteTable(Collection<Route> routes, long revision) {
    var hosts = new HashMap<String, Map<String, List<Route>>>();
    var ids = new HashMap<String, Route>(Math.max(16, routes.size() * 2));
    for (var r : routes) {
      ids.put(r.id(), r);
      if (r.enabled()) {
        hosts.computeIfAbsent(r.hostKey(), h -> new HashMap<>())
            .computeIfAbsent(r.sourcePath(), p -> new ArrayList<>(1))
            .add(r);
      }
    }
    hosts.values().forEach(paths -> paths.replaceAll((path, list) -> List.copyOf(list)));
    this.byHost = hosts;
    this.byId = ids;
    this.revision = revision;
  }

  public static RouteTable of(Collection<Route> routes, long revision) {
    return new RouteTable(routes, revision);
  }

  /** A new table with {@code upserts} put and {@code deletedIds} removed; this one is unchanged. */
  public RouteTable apply(Collection<Route> upserts, Collection<String> deletedIds, long newRevision) {
    var merged = new HashMap<>(byId);
    deletedIds.forEach(merged::remove);
    upserts.forEach(r -> merged.put(r.id(), r));
    return new RouteTable(merged.values(), newRevision);
  }

  /** This table at another revision: the same routes, shared, at no cost. */
  public RouteTable withRevision(long newRevision) {
    return new RouteTable(byHost, byId, newRevision);
  }

  @Override
  public List<Route> routesAt(String hostKey, String sourcePath) {
    var paths = byHost.get(hostKey);
    if (paths == null) {
      return List.of();
    }
    var routes = paths.get(sourcePath);
    return routes == null ? List.of() : routes;
  }

  public RouteMatch match(String host, String normalizedPath, String method, String acceptVersion) {
    return RouteMatcher.match(this, host, normalizedPath, method, acceptVersion);
  }

  /** The route with this id, enabled or not; null when absent. */
  public Route get(String id) {
    return byId.get(id);
  }

  /** Every route, enabled or not; read-only (the table is shared by concurrent readers). */
  public Collection<Route> routes() {
    return Collections.unmodifiableCollection(byId.values());
  }

  public int size() {
    return byId.size();
  }

  /** The change-log revision this table reflects. */
  public long revision() {
    return revision;
  }
}
