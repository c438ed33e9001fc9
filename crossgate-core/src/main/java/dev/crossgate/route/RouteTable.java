package dev.crossgate.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
   * Copy-on-write: the id index and the path maps of the touched hosts are copied (array copies,
   * no re-hashing of routes), and only the touched path lists are rebuilt, so a one-route change
   * on a 100,000-route table costs milliseconds, not a rebuild.
   */
  public RouteTable apply(Collection<Route> upserts, Collection<String> deletedIds, long newRevision) {
    var ids = new HashMap<>(byId);
    var hosts = new HashMap<>(byHost);
    var copiedHosts = new HashSet<String>();
    for (var id : deletedIds) {
      var old = ids.remove(id);
      if (old != null) {
        unindex(hosts, copiedHosts, old);
      }
    }
    for (var r : upserts) {
      var old = ids.put(r.id(), r);
      if (old != null) {
        unindex(hosts, copiedHosts, old);
      }
      if (r.enabled()) {
        var paths = writablePaths(hosts, copiedHosts, r.hostKey());
        var list = paths.get(r.sourcePath());
        var grown = new ArrayList<Route>(list == null ? 1 : list.size() + 1);
        if (list != null) {
          grown.addAll(list);
        }
        grown.add(r);
        paths.put(r.sourcePath(), List.copyOf(grown));
      }
    }
    return new RouteTable(hosts, ids, newRevision);
  }

  private RouteTable(Map<String, Map<String, List<Route>>> byHost, Map<String, Route> byId, long revision) {
    this.byHost = byHost;
    this.byId = byId;
    this.revision = revision;
  }

  private static void unindex(Map<String, Map<String, List<Route>>> hosts, Set<String> copiedHosts, Route old) {
    if (!old.enabled() || !hosts.containsKey(old.hostKey())) {
      return;
    }
    var paths = writablePaths(hosts, copiedHosts, old.hostKey());
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

  /** The path map of {@code hostKey} in the new table, copied from the old one on first touch. */
  private static Map<String, List<Route>> writablePaths(Map<String, Map<String, List<Route>>> hosts,
      Set<String> copiedHosts, String hostKey) {
    if (copiedHosts.add(hostKey)) {
      var old = hosts.get(hostKey);
      var copy = old == null ? new HashMap<String, List<Route>>() : new HashMap<>(old);
      hosts.put(hostKey, copy);
      return copy;
    }
    return hosts.get(hostKey);
  }

  /** This table at another revision: the same routes, shared, at no cost. */
  public RouteTable withRevision(long newRevision) {
    return new RouteTable(byHost, byId, newRevision);
  }

  /** The route with this id, enabled or not; null when absent. */
  public Route get(String id) {
    return byId.get(id);
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
