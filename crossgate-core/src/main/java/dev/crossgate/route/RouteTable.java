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

  /**
   * A new table with {@code upserts} put and {@code deletedIds} removed; this one is unchanged.
   * Copy-on-write: only the id index, the outer host map and the path maps of the hosts a change
   * touches are copied; untouched hosts and path lists are shared with this table.
   */
  public RouteTable apply(Collection<Route> upserts, Collection<String> deletedIds, long newRevision) {
    if (upserts.size() + deletedIds.size() > byId.size() / 2) {
      var merged = new HashMap<>(byId); // most of the table changes: building afresh is cheaper
      deletedIds.forEach(merged::remove);
      upserts.forEach(r -> merged.put(r.id(), r));
      return new RouteTable(merged.values(), newRevision);
    }
    var ids = new HashMap<>(byId);
    var hosts = new HashMap<>(byHost);
    var copiedHosts = new java.util.HashSet<String>();
    for (var id : deletedIds) {
      var old = ids.remove(id);
      if (old != null) {
        unindex(hosts, copiedHosts, old);
      }
    }
    for (var route : upserts) {
      var old = ids.put(route.id(), route);
      if (old != null) {
        unindex(hosts, copiedHosts, old);
      }
      if (route.enabled()) {
        var paths = pathsForWrite(hosts, copiedHosts, route.hostKey());
        var list = new ArrayList<>(paths.getOrDefault(route.sourcePath(), List.of()));
        list.add(route);
        paths.put(route.sourcePath(), List.copyOf(list));
      }
    }
    return new RouteTable(hosts, ids, newRevision);
  }

  private static void unindex(Map<String, Map<String, List<Route>>> hosts, java.util.Set<String> copied, Route old) {
    if (!old.enabled() || !hosts.containsKey(old.hostKey())) {
      return;
    }
    var paths = pathsForWrite(hosts, copied, old.hostKey());
    var list = paths.get(old.sourcePath());
    if (list == null) {
      return;
    }
    var kept = list.stream().filter(r -> !r.id().equals(old.id())).toList();
    if (kept.isEmpty()) {
      paths.remove(old.sourcePath());
    } else {
      paths.put(old.sourcePath(), kept);
    }
  }

  /** The path map of {@code hostKey} in {@code hosts}, copied once per apply so the old table stays intact. */
  private static Map<String, List<Route>> pathsForWrite(Map<String, Map<String, List<Route>>> hosts,
      java.util.Set<String> copied, String hostKey) {
    if (copied.add(hostKey)) {
      hosts.put(hostKey, new HashMap<>(hosts.getOrDefault(hostKey, Map.of())));
    }
    return hosts.get(hostKey);
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
