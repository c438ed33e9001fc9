package dev.crossgate.gateway.filter;

import dev.crossgate.filter.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Decides who the client is when proxies stand in front of the gateway. The peer address is the
 * client unless the peer is a trusted proxy; then {@code X-Forwarded-For} is read from the right
 * and the first address that is not a trusted proxy is the client. Entries left of it were written
 * by the client itself and are never believed (a client can send any {@code X-Forwarded-For} it
 * likes).
 */
public final class TrustedProxies {
  private final List<Cidr> trusted;

  public TrustedProxies(List<String> cidrs) {
    this.trusted = cidrs.stream().map(Cidr::parse).toList();
  }

  public boolean isEmpty() {
    return trusted.isEmpty();
  }

  public boolean isTrusted(String ip) {
    if (trusted.isEmpty()) {
      return false;
    }
    var address = parse(ip);
    if (address == null) {
      return false;
    }
    for (var cidr : trusted) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param peerIp the TCP peer
   * @param forwardedFor the X-Forwarded-For header values joined by ',', or null
   * @return the client IP
   */
  public String clientIp(String peerIp, String forwardedFor) {
    if (forwardedFor == null || !isTrusted(peerIp)) {
      return peerIp;
    }
    var hops = forwardedFor.split(",");
    String client = peerIp;
    for (int i = hops.length - 1; i >= 0; i--) {
      var hop = stripPort(hops[i].trim());
      if (parse(hop) == null) {
        return client; // garbage: stop at the last address we could vouch for
      }
      client = hop;
      if (!isTrusted(hop)) {
        return hop;
      }
    }
    return client;
  }

  /** A literal IP address, or null; never a DNS lookup. */
  public static InetAddress parse(String ip) {
    var cidr = ip == null || ip.isEmpty() || ip.indexOf('/') >= 0 ? null : Cidr.parse(ip);
    if (cidr == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(cidr.network());
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String stripPort(String hop) {
    if (hop.startsWith("[")) {
      int close = hop.indexOf(']');
      return close > 0 ? hop.substring(1, close) : hop;
    }
    int colon = hop.indexOf(':');
    return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
  }
}
