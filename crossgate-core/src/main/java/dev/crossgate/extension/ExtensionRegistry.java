package dev.crossgate.extension;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The registered extensions a node serves from: immutable, indexed by {@code tenant/id}. */
public final class ExtensionRegistry {
  public static final ExtensionRegistry EMPTY = new ExtensionRegistry(List.of());

  private final Map<String, Extension> byKey;

  public ExtensionRegistry(Collection<Extension> extensions) {
    var keys = new HashMap<String, Extension>();
    for (var e : extensions) {
      keys.put(e.key(), e);
    }
    this.byKey = Map.copyOf(keys);
  }

  /** The extension by its {@link Extension#key()}, or null. */
  public Extension get(String key) {
    return byKey.get(key);
  }

  public Extension find(String tenant, String id) {
    return byKey.get(Extension.key(tenant, id));
  }

  public Collection<Extension> all() {
    return byKey.values();
  }

  public int size() {
    return byKey.size();
  }
}
