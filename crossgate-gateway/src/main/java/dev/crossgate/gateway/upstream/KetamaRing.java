package dev.crossgate.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A Ketama consistent-hash ring: each target owns points on a 32-bit circle (160 for the average
 * weight, more or fewer in proportion), four per MD5 of {@code "<url>-<n>"} as libketama places
 * them; a key belongs to the first point at or after its hash. Adding a target takes about 1/n of
 * the keys, all from the others; an ineligible owner passes the key to the next point's.
 */
final class KetamaRing implements Balancer {
  private static final int POINTS_PER_AVERAGE_WEIGHT = 160;

  private final long[] points;
  private final int[] owners;

  private KetamaRing(long[] points, int[] owners) {
    this.points = points;
    this.owners = owners;
  }

  static KetamaRing of(TargetState[] targets, int[] weights) {
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    var entries = new long[0];
    int count = 0;
    for (int t = 0; t < targets.length; t++) {
      int wanted =
          (int)
              Math.max(
                  4,
                  Math.round(
                      (double) POINTS_PER_AVERAGE_WEIGHT * weights[t] * targets.length / total));
      for (int n = 0; n * 4 < wanted; n++) {
        byte[] digest = md5(targets[t].url + "-" + n);
        for (int k = 0; k < 4; k++) {
          long point =
              ((long) (digest[3 + k * 4] & 0xff) << 24)
                  | ((long) (digest[2 + k * 4] & 0xff) << 16)
                  | ((long) (digest[1 + k * 4] & 0xff) << 8)
                  | (digest[k * 4] & 0xff);
          if (count == entries.length) {
            entries = Arrays.copyOf(entries, Math.max(64, count * 2));
          }
          // point in the high bits, owner in the low ones: one sort orders both
          entries[count++] = (point << 16) | t;
        }
      }
    }
    entries = Arrays.copyOf(entries, count);
    Arrays.sort(entries);
    var points = new long[count];
    var owners = new int[count];
    for (int i = 0; i < count; i++) {
      points[i] = entries[i] >>> 16;
      owners[i] = (int) (entries[i] & 0xffff);
    }
    return new KetamaRing(points, owners);
  }

  @Override
  public int pick(long eligible, String key) {
    long hash = hash(key == null ? "" : key);
    int at = Arrays.binarySearch(points, hash);
    if (at < 0) {
      at = -at - 1;
    }
    for (int step = 0; step < points.length; step++) {
      int owner = owners[(at + step) % points.length];
      if ((eligible & (1L << owner)) != 0) {
        return owner;
      }
    }
    return Long.numberOfTrailingZeros(eligible);
  }

  /** FNV-1a over the key's chars, then murmur3's finaliser, folded to 32 bits. */
  static long hash(String key) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < key.length(); i++) {
      h ^= key.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h & 0xffffffffL;
  }

  private static byte[] md5(String s) {
    try {
      return MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }
}
