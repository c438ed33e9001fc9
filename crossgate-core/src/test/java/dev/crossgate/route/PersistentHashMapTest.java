package dev.crossgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PersistentHashMapTest {

  /** A key whose hash the test chooses, to force shared prefixes and full 32-bit collisions. */
  private record Key(String name, int hash) {
    @Override
    public int hashCode() {
      return hash;
    }
  }

  @Test
  void randomPutsAndRemovesAnswerLikeAHashMapAndEveryEarlierVersionStaysAsItWas() {
    var random = new Random(11);
    var expected = new HashMap<Key, Integer>();
    var map = PersistentHashMap.<Key, Integer>empty();
    var versions = new ArrayList<PersistentHashMap<Key, Integer>>();
    var snapshots = new ArrayList<Map<Key, Integer>>();
    var keys = new ArrayList<Key>();
    for (int i = 0; i < 3_000; i++) {
      keys.add(randomKey(random, i));
    }

    for (int step = 0; step < 20_000; step++) {
      var key = keys.get(random.nextInt(keys.size()));
      if (random.nextInt(3) == 0) {
        map = map.without(key);
        expected.remove(key);
      } else {
        map = map.with(key, step);
        expected.put(key, step);
      }
      if (step % 1_000 == 0) {
        versions.add(map);
        snapshots.add(Map.copyOf(expected));
      }
    }

    assertLike(map, expected);
    for (int i = 0; i < versions.size(); i++) {
      assertLike(versions.get(i), snapshots.get(i));
    }
  }

  @Test
  void removingTheLastKeysLeavesAnEmptyMapAndAbsentKeysChangeNothing() {
    var a = new Key("a", 7);
    var b = new Key("b", 7);
    var one = PersistentHashMap.<Key, String>empty().with(a, "x").with(b, "y");

    var none = one.without(a).without(b);

    assertThat(none.isEmpty()).isTrue();
    assertThat(none.get(a)).isNull();
    assertThat(one.without(new Key("c", 7))).isSameAs(one);
    assertThat(one.values()).containsExactlyInAnyOrder("x", "y");
  }

  private static Key randomKey(Random random, int i) {
    int pick = random.nextInt(4);
    // few distinct hashes (collisions), hashes equal in their low bits (deep tries), anything
    int hash =
        pick == 0
            ? random.nextInt(8)
            : pick == 1 ? random.nextInt(64) << 25 | 0x1F : random.nextInt();
    return new Key("k" + i, hash);
  }

  private static void assertLike(PersistentHashMap<Key, Integer> map, Map<Key, Integer> expected) {
    assertThat(map.size()).isEqualTo(expected.size());
    for (var e : expected.entrySet()) {
      assertThat(map.get(e.getKey())).as("%s", e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(map.get(new Key("absent", 3))).isNull();
    List<Integer> values = map.values();
    assertThat(values).containsExactlyInAnyOrderElementsOf(expected.values());
  }
}
