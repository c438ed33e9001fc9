package dev.crossgate.gateway.proxy;

import dev.crossgate.http.HopByHop;
import io.vertx.core.MultiMap;

/**
 * Header rewriting at the proxy hop. Hop-by-hop fields (RFC 9110 section 7.6.1, applied by {@link
 * HopByHop}: {@code Connection} and every field it names, {@code Keep-Alive}, {@code TE}, {@code
 * Transfer-Encoding}, {@code Upgrade}, {@code Proxy-*}) describe one connection and are never
 * forwarded; requests gain {@code Forwarded} (RFC 7239), {@code X-Forwarded-For/-Proto/-Host} and
 * {@code Via} (RFC 9110 section 7.6.3). Client-supplied forwarding fields are kept only when the
 * peer is a trusted proxy, so an upstream can believe what it reads.
 */
public final class ForwardHeaders {
  static final String VIA_VALUE = "1.1 crossgate";

  private ForwardHeaders() {}

  /**
   * Adds {@code in} without hop-by-hop fields and {@code Host} to {@code out}; returns {@code out}.
   */
  public static MultiMap copyRequestHeaders(MultiMap in, MultiMap out) {
    return copyEndToEnd(in, out, true);
  }

  /**
   * Adds an upstream response's headers without hop-by-hop fields, plus {@code Via}, to {@code
   * out}.
   */
  public static MultiMap copyResponseHeaders(MultiMap in, MultiMap out) {
    copyEndToEnd(in, out, false);
    out.add("Via", VIA_VALUE);
    return out;
  }

  private static MultiMap copyEndToEnd(MultiMap in, MultiMap out, boolean dropHost) {
    return HopByHop.copyEndToEnd(
        in, out, dropHost ? name -> name.equalsIgnoreCase("host") : name -> false);
  }

  /**
   * Adds the forwarding fields to headers bound upstream.
   *
   * @param peerTrusted whether the TCP peer is a trusted proxy (then its forwarding fields are
   *     kept)
   */
  public static void addForwarding(
      MultiMap out, String peerIp, boolean peerTrusted, String proto, String host) {
    var xff = peerTrusted ? joined(out, "X-Forwarded-For") : null;
    var forwarded = peerTrusted ? joined(out, "Forwarded") : null;
    var xfProto = peerTrusted ? out.get("X-Forwarded-Proto") : null;
    var xfHost = peerTrusted ? out.get("X-Forwarded-Host") : null;
    out.remove("X-Forwarded-For")
        .remove("Forwarded")
        .remove("X-Forwarded-Proto")
        .remove("X-Forwarded-Host");
    out.set("X-Forwarded-For", xff == null ? peerIp : xff + ", " + peerIp);
    out.set("X-Forwarded-Proto", xfProto == null ? proto : xfProto);
    if (host != null) {
      out.set("X-Forwarded-Host", xfHost == null ? host : xfHost);
    }
    var element =
        "for="
            + forwardedNode(peerIp)
            + ";proto="
            + proto
            + (host == null ? "" : ";host=" + quoteIfNeeded(host));
    out.set("Forwarded", forwarded == null ? element : forwarded + ", " + element);
    var via = joined(out, "Via");
    out.set("Via", via == null ? VIA_VALUE : via + ", " + VIA_VALUE);
  }

  private static String joined(MultiMap headers, String name) {
    var all = headers.getAll(name);
    return all.isEmpty() ? null : String.join(", ", all);
  }

  /** RFC 7239 section 6: IPv6 addresses are bracketed and the whole node quoted. */
  private static String forwardedNode(String ip) {
    return ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
  }

  private static String quoteIfNeeded(String host) {
    return host.indexOf(':') >= 0 ? "\"" + host + "\"" : host;
  }
}
