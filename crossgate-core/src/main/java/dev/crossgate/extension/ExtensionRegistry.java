package dev.crossgate.extension;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The registered extensions a node serves from: immutable, indexed by {@code tenant/id} and by id
 * alone (for flows of routes whose callers carry no tenant).
 */
public final class ExtensionRegistry {
  public static final ExtensionRegistry EMPTY = new ExtensionRegistry(List.of());

  private final Map<String, Extension> byKey;
  private final Map<String, List<Extension>> byId;

  public ExtensionRegistry(Collection<Extension> extensions) {
    var keys = new HashMap<String, Extension>();
    var ids = new HashMap<String, List<Extension>>();
    for (var e : extensions) {
      keys.put(e.key(), e);
      ids.computeIfAbsent(e.id(), k -> new ArrayList<>(1)).add(e);
    }
    this.byKey = Map.copyOf(keys);
    ids.replaceAll((k, v) -> List.copyOf(v));
    this.byId = Map.copyOf(ids);
  }

  /** The extension by its {@link Extension#key()}, or null. */
  public Extension get(String key) {
    return byKey.get(key);
  }

  public Extension find(String tenant, String id) {
    return byKey.get(Extension.key(tenant, id));
  }

  /** Every tenant's extension named {@code id}. */
  public List<Extension> named(String id) {
    return byId.getOrDefault(id, List.of());
  }

  public Collection<Extension> all() {
    return byKey.values();
  }

  public int size() {
    return byKey.size();
  }
}
