package dev.crossgate.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * The gateway's immutable, in-memory route index: host key → source path → routes. A change builds
 * a new table and the node swaps one reference, so readers never lock and never see a half-applied
 * change. Disabled routes are left out: they answer 404 like absent ones.
 *
 * <p>Both levels and the id index are {@link PersistentHashMap}s: a new table shares everything a
 * change does not touch with the old one, so one route change on a 100,000-route table copies O(log
 * n) trie nodes, not the table, and a lookup stays a few hash steps whatever the size.
 */
public final class RouteTable implements RouteSource {
  public static final RouteTable EMPTY =
      new RouteTable(PersistentHashMap.empty(), PersistentHashMap.empty(), 0);

  private final PersistentHashMap<String, PersistentHashMap<String, List<Route>>> byHost;
  private final PersistentHashMap<String, Route> byId;
  private final long revision;

  private RouteTable(
      PersistentHashMap<String, PersistentHashMap<String, List<Route>>> byHost,
      PersistentHashMap<String, Route> byId,
      long revision) {
    this.byHost = byHost;
    this.byId = byId;
    this.revision = revision;
  }

  public static RouteTable of(Collection<Route> routes, long revision) {
    return EMPTY.apply(routes, List.of(), revision);
  }

  /**
   * A new table with {@code upserts} put and {@code deletedIds} removed; this one is unchanged and
   * shares every host, path and id the change does not touch.
   */
  public RouteTable apply(
      Collection<Route> upserts, Collection<String> deletedIds, long newRevision) {
    var ids = byId;
    var hosts = byHost;
    for (var id : deletedIds) {
      var old = ids.get(id);
      if (old != null) {
        ids = ids.without(id);
        hosts = unindex(hosts, old);
      }
    }
    for (var r : upserts) {
      var old = ids.get(r.id());
      ids = ids.with(r.id(), r);
      if (old != null) {
        hosts = unindex(hosts, old);
      }
      if (r.enabled()) {
        var paths = hosts.get(r.hostKey());
        paths = paths == null ? PersistentHashMap.empty() : paths;
        var list = paths.get(r.sourcePath());
        var grown = new ArrayList<Route>(list == null ? 1 : list.size() + 1);
        if (list != null) {
          grown.addAll(list);
        }
        grown.add(r);
        hosts = hosts.with(r.hostKey(), paths.with(r.sourcePath(), List.copyOf(grown)));
      }
    }
    return new RouteTable(hosts, ids, newRevision);
  }

  private static PersistentHashMap<String, PersistentHashMap<String, List<Route>>> unindex(
      PersistentHashMap<String, PersistentHashMap<String, List<Route>>> hosts, Route old) {
    var paths = old.enabled() ? hosts.get(old.hostKey()) : null;
    var list = paths == null ? null : paths.get(old.sourcePath());
    if (list == null) {
      return hosts;
    }
    var kept = list.stream().filter(r -> !r.id().equals(old.id())).toList();
    paths = kept.isEmpty() ? paths.without(old.sourcePath()) : paths.with(old.sourcePath(), kept);
    return paths.isEmpty() ? hosts.without(old.hostKey()) : hosts.with(old.hostKey(), paths);
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

  /**
   * Every route, enabled or not, in no particular order: a new read-only list (walks the table).
   */
  public Collection<Route> routes() {
    return Collections.unmodifiableList(byId.values());
  }

  public int size() {
    return byId.size();
  }

  /** The change-log revision this table reflects. */
  public long revision() {
    return revision;
  }
}
