package dev.crossgate.egress;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * What an IP address is, for the egress policy: only {@link #PUBLIC} addresses are reachable
 * without an operator's allow. IPv6 forms that carry an IPv4 address (IPv4-mapped {@code
 * ::ffff:a.b.c.d}, IPv4-compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::/96}, 6to4 {@code
 * 2002::/16}) are judged by the IPv4 address they carry, so {@code ::ffff:127.0.0.1} is loopback.
 * Blocks: RFC 6890 (special-purpose registries), RFC 6598 (CGNAT), RFC 4193, RFC 4291.
 */
public enum AddressKind {
  PUBLIC,
  /** {@code 127.0.0.0/8}, {@code ::1}. */
  LOOPBACK,
  /** {@code 169.254.0.0/16} (cloud metadata lives here), {@code fe80::/10}. */
  LINK_LOCAL,
  /** {@code 10/8}, {@code 172.16/12}, {@code 192.168/16}, {@code fc00::/7}, {@code fec0::/10}. */
  PRIVATE,
  /** {@code 100.64.0.0/10}: carrier-grade NAT, also used for cloud-internal services. */
  SHARED,
  /** {@code 224.0.0.0/4}, {@code ff00::/8}. */
  MULTICAST,
  /** {@code 0.0.0.0/8} (Linux connects {@code 0.0.0.0} to this host), {@code ::}. */
  UNSPECIFIED,
  /** {@code 255.255.255.255}. */
  BROADCAST,
  /**
   * Special-purpose blocks no tenant needs: {@code 192.0.0.0/24} (protocol assignments; one cloud
   * serves its metadata at 192.0.0.192), documentation and benchmarking blocks, {@code 240/4},
   * Teredo, discard-only {@code 100::/64}, NAT64 local-use {@code 64:ff9b:1::/48}.
   */
  RESERVED;

  /** The kind of {@code address}, judging an IPv4-carrying IPv6 address by its IPv4 address. */
  public static AddressKind of(InetAddress address) {
    var bytes = address.getAddress();
    return bytes.length == 4 ? ofIpv4(bytes) : ofIpv6(bytes);
  }

  /** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or null. */
  public static Inet4Address embeddedIpv4(InetAddress address) {
    var b = address.getAddress();
    if (b.length == 4) {
      return (Inet4Address) address;
    }
    byte[] v4 = null;
    if (zeros(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      v4 = slice(b, 12); // ::ffff:a.b.c.d
    } else if (zeros(b, 0, 12) && !(zeros(b, 12, 15) && (b[15] == 0 || b[15] == 1))) {
      v4 = slice(b, 12); // ::a.b.c.d (deprecated IPv4-compatible), not :: or ::1
    } else if (b[0] == 0
        && b[1] == 0x64
        && (b[2] & 0xff) == 0xff
        && (b[3] & 0xff) == 0x9b
        && zeros(b, 4, 12)) {
      v4 = slice(b, 12); // 64:ff9b::a.b.c.d (RFC 6052 NAT64)
    } else if (b[0] == 0x20 && b[1] == 0x02) {
      v4 = slice(b, 2); // 2002:aabb:ccdd::/48 (6to4)
    }
    if (v4 == null) {
      return null;
    }
    try {
      return (Inet4Address) InetAddress.getByAddress(v4);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an IPv4 address", e);
    }
  }

  private static AddressKind ofIpv4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    if (a0 == 0) {
      return UNSPECIFIED;
    }
    if (a0 == 127) {
      return LOOPBACK;
    }
    if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
      return PRIVATE;
    }
    if (a0 == 100 && (a1 & 0xc0) == 64) {
      return SHARED;
    }
    if (a0 == 169 && a1 == 254) {
      return LINK_LOCAL;
    }
    if ((a0 & 0xf0) == 224) {
      return MULTICAST;
    }
    if (a0 == 255 && a1 == 255 && a2 == 255 && (b[3] & 0xff) == 255) {
      return BROADCAST;
    }
    if ((a0 & 0xf0) == 240
        || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2))
        || (a0 == 198 && (a1 & 0xfe) == 18)
        || (a0 == 198 && a1 == 51 && a2 == 100)
        || (a0 == 203 && a1 == 0 && a2 == 113)) {
      return RESERVED;
    }
    return PUBLIC;
  }

  private static AddressKind ofIpv6(byte[] b) {
    if (zeros(b, 0, 16)) {
      return UNSPECIFIED;
    }
    if (zeros(b, 0, 15) && b[15] == 1) {
      return LOOPBACK;
    }
    try {
      var v4 = embeddedIpv4(InetAddress.getByAddress(b));
      if (v4 != null) {
        return ofIpv4(v4.getAddress());
      }
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("sixteen bytes are always an IPv6 address", e);
    }
    int b0 = b[0] & 0xff;
    int b1 = b[1] & 0xff;
    if (b0 == 0xff) {
      return MULTICAST;
    }
    if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
      return LINK_LOCAL;
    }
    if ((b0 & 0xfe) == 0xfc || (b0 == 0xfe && (b1 & 0xc0) == 0xc0)) {
      return PRIVATE;
    }
    boolean teredo = b0 == 0x20 && b1 == 0x01 && b[2] == 0 && b[3] == 0;
    boolean documentation =
        b0 == 0x20 && b1 == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8;
    boolean discard = b0 == 0x01 && b1 == 0 && zeros(b, 2, 8);
    boolean nat64Local =
        b0 == 0
            && b1 == 0x64
            && (b[2] & 0xff) == 0xff
            && (b[3] & 0xff) == 0x9b
            && b[4] == 0
            && b[5] == 1;
    if (teredo || documentation || discard || nat64Local || b0 == 0) {
      return RESERVED; // ::/8 beyond the forms above is reserved too
    }
    return PUBLIC;
  }

  private static boolean zeros(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] slice(byte[] b, int from) {
    return new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]};
  }
}
