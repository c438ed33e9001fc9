package dev.crossgate.route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable hash map whose updates share structure with the map they came from: a hash array
 * mapped trie (Bagwell, "Ideal Hash Trees", 2001), 32-way branching on 5 bits of the key's hash per
 * level. {@link #with} and {@link #without} copy only the nodes on the key's path (at most 7 arrays
 * of at most 32 slots), so a change to a 100,000-entry map copies a few hundred references instead
 * of the map; {@link #get} follows at most 7 nodes, whatever the size (about 4 at 100,000 entries).
 *
 * <p>Written here rather than taken from a library (Paguro, Vavr, pcollections, Capsule all have
 * one): the route table needs get/with/without/values only, and ~150 lines tested against {@link
 * java.util.HashMap} cost less to keep than a dependency of several hundred classes in the core of
 * every role. Keys must be immutable with a stable {@code hashCode} (route ids, hosts and paths are
 * strings).
 */
final class PersistentHashMap<K, V> {
  private static final int BITS = 5;
  private static final int MASK = (1 << BITS) - 1;
  private static final PersistentHashMap<Object, Object> EMPTY = new PersistentHashMap<>(null, 0);

  /** A {@link Branch}, a {@link Collision} or null (empty map). */
  private final Object root;

  private final int size;

  private PersistentHashMap(Object root, int size) {
    this.root = root;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  static <K, V> PersistentHashMap<K, V> empty() {
    return (PersistentHashMap<K, V>) EMPTY;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The value of {@code key}, or null when absent. */
  @SuppressWarnings("unchecked")
  V get(K key) {
    int hash = key.hashCode();
    Object node = root;
    for (int shift = 0; node instanceof Branch b; shift += BITS) {
      int bit = 1 << ((hash >>> shift) & MASK);
      if ((b.bitmap & bit) == 0) {
        return null;
      }
      var slot = b.slots[Integer.bitCount(b.bitmap & (bit - 1))];
      if (slot instanceof Entry e) {
        return e.hash == hash && e.key.equals(key) ? (V) e.value : null;
      }
      node = slot;
    }
    if (node instanceof Collision c) {
      for (var e : c.entries) {
        if (e.key.equals(key)) {
          return (V) e.value;
        }
      }
    }
    return null;
  }

  /** This map with {@code key} mapped to {@code value}; this one is unchanged. */
  PersistentHashMap<K, V> with(K key, V value) {
    Objects.requireNonNull(value, "value");
    var entry = new Entry(key, value, key.hashCode());
    int grown = get(key) == null ? size + 1 : size;
    return new PersistentHashMap<>(root == null ? branchOf(entry) : insert(root, entry, 0), grown);
  }

  /** This map without {@code key}; this very map when the key is absent. */
  PersistentHashMap<K, V> without(K key) {
    if (get(key) == null) {
      return this;
    }
    return new PersistentHashMap<>(remove(root, key, key.hashCode(), 0), size - 1);
  }

  /** Every value, in no particular order: a new list (walks the whole trie). */
  List<V> values() {
    var out = new ArrayList<V>(size);
    collect(root, out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <V> void collect(Object node, List<V> out) {
    if (node instanceof Branch b) {
      for (var slot : b.slots) {
        if (slot instanceof Entry e) {
          out.add((V) e.value);
        } else {
          collect(slot, out);
        }
      }
    } else if (node instanceof Collision c) {
      for (var e : c.entries) {
        out.add((V) e.value);
      }
    }
  }

  private record Entry(Object key, Object value, int hash) {}

  /**
   * Slots hold an {@link Entry} or a child node; bit i of the bitmap says whether slot i exists.
   */
  private record Branch(int bitmap, Object[] slots) {}

  /** Entries whose 32-bit hashes are equal: below the last level, compared by equals. */
  private record Collision(Entry[] entries) {}

  private static Branch branchOf(Entry entry) {
    return new Branch(1 << (entry.hash & MASK), new Object[] {entry});
  }

  private static Object insert(Object node, Entry entry, int shift) {
    if (node instanceof Collision c) {
      for (int i = 0; i < c.entries.length; i++) {
        if (c.entries[i].key.equals(entry.key)) {
          var entries = c.entries.clone();
          entries[i] = entry;
          return new Collision(entries);
        }
      }
      var entries = Arrays.copyOf(c.entries, c.entries.length + 1);
      entries[c.entries.length] = entry;
      return new Collision(entries);
    }
    var b = (Branch) node;
    int bit = 1 << ((entry.hash >>> shift) & MASK);
    int index = Integer.bitCount(b.bitmap & (bit - 1));
    if ((b.bitmap & bit) == 0) {
      var slots = new Object[b.slots.length + 1];
      System.arraycopy(b.slots, 0, slots, 0, index);
      slots[index] = entry;
      System.arraycopy(b.slots, index, slots, index + 1, b.slots.length - index);
      return new Branch(b.bitmap | bit, slots);
    }
    var slot = b.slots[index];
    Object replacement;
    if (slot instanceof Entry e) {
      replacement =
          e.hash == entry.hash && e.key.equals(entry.key) ? entry : pair(e, entry, shift + BITS);
    } else {
      replacement = insert(slot, entry, shift + BITS);
    }
    var slots = b.slots.clone();
    slots[index] = replacement;
    return new Branch(b.bitmap, slots);
  }

  /** The node holding two entries with different keys, at the level {@code shift}. */
  private static Object pair(Entry a, Entry b, int shift) {
    if (shift >= Integer.SIZE) {
      return new Collision(new Entry[] {a, b});
    }
    int bitA = 1 << ((a.hash >>> shift) & MASK);
    int bitB = 1 << ((b.hash >>> shift) & MASK);
    if (bitA == bitB) {
      return new Branch(bitA, new Object[] {pair(a, b, shift + BITS)});
    }
    return new Branch(
        bitA | bitB,
        Integer.compareUnsigned(bitA, bitB) < 0 ? new Object[] {a, b} : new Object[] {b, a});
  }

  /** The node without {@code key} (known to be present), or null when nothing is left in it. */
  private static Object remove(Object node, Object key, int hash, int shift) {
    if (node instanceof Collision c) {
      var kept = Arrays.stream(c.entries).filter(e -> !e.key.equals(key)).toArray(Entry[]::new);
      return kept.length == 0 ? null : new Collision(kept);
    }
    var b = (Branch) node;
    int bit = 1 << ((hash >>> shift) & MASK);
    int index = Integer.bitCount(b.bitmap & (bit - 1));
    var slot = b.slots[index];
    var replacement = slot instanceof Entry ? null : remove(slot, key, hash, shift + BITS);
    if (replacement != null) {
      var slots = b.slots.clone();
      slots[index] = replacement;
      return new Branch(b.bitmap, slots);
    }
    if (b.slots.length == 1) {
      return null;
    }
    var slots = new Object[b.slots.length - 1];
    System.arraycopy(b.slots, 0, slots, 0, index);
    System.arraycopy(b.slots, index + 1, slots, index, slots.length - index);
    return new Branch(b.bitmap & ~bit, slots);
  }
}
