package dev.crossgate.egress;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * An absolute http(s) URL taken apart for an outbound connection: the host as the request names it
 * (Host header, TLS SNI), the port, and — when the host is an IP literal — the address.
 *
 * <p>Literals are read the way the C resolver would read them, not only in dotted-quad form: {@code
 * inet_aton} accepts {@code 2130706433}, {@code 0x7f.1} and {@code 017700000001} as 127.0.0.1, so a
 * host that is all numbers is an address here too and is judged as one rather than handed to a
 * resolver that might read it either way.
 *
 * @param host lower case, without brackets or a trailing dot
 * @param literal the address when {@code host} is an IP literal in any spelling, else null
 */
public record EgressUrl(
    String scheme, String host, int port, String requestUri, InetAddress literal) {

  public boolean tls() {
    return scheme.equals("https");
  }

  /**
   * Parses {@code url}.
   *
   * @throws IllegalArgumentException when it is not an absolute http(s) URL with a host
   */
  public static EgressUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL");
    }
    var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute()
        || !(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("not an absolute http(s) URL with a host");
    }
    var host = uri.getHost().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    var path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    var requestUri = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    return new EgressUrl(scheme, host, port, requestUri, literal(host));
  }

  /** The address {@code host} spells, or null when it is a name. Never resolves. */
  static InetAddress literal(String host) {
    try {
      if (host.indexOf(':') >= 0) {
        var zone = host.indexOf('%');
        // only hex digits and colons (and a dotted tail) reach InetAddress: no lookup happens
        var bare = zone < 0 ? host : host.substring(0, zone);
        if (!bare.matches("[0-9a-f:.]+")) {
          throw new IllegalArgumentException("not an IPv6 literal: " + host);
        }
        return InetAddress.getByName(bare);
      }
      var v4 = inetAton(host);
      return v4 == null ? null : InetAddress.getByAddress(v4);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal: " + host);
    }
  }

  /**
   * {@code inet_aton}: one to four parts, each decimal, octal (leading 0) or hex (0x); the last
   * part fills the remaining bytes. Null when {@code host} is not such a form (then it is a name,
   * and whatever it resolves to is checked instead).
   */
  static byte[] inetAton(String host) {
    var parts = host.split("\\.", -1);
    if (parts.length > 4) {
      return null;
    }
    long address = 0;
    for (int i = 0; i < parts.length; i++) {
      var value = number(parts[i]);
      boolean last = i == parts.length - 1;
      long limit = last ? 1L << (8 * (4 - i)) : 0x100;
      if (value == null || value >= limit) {
        return null;
      }
      address |= last ? value : value << (24 - 8 * i);
    }
    return new byte[] {
      (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
    };
  }

  /** One numeric part, or null when it is not one (or too long to be an address byte or word). */
  private static Long number(String part) {
    int radix = 10;
    var digits = part;
    if (part.startsWith("0x")) {
      radix = 16;
      digits = part.substring(2);
      if (digits.isEmpty()) {
        return 0L;
      }
    } else if (part.length() > 1 && part.startsWith("0")) {
      radix = 8;
      digits = part.substring(1);
    }
    final int base = radix;
    if (digits.isEmpty()
        || digits.length() > 11
        || !digits.chars().allMatch(c -> Character.digit(c, base) >= 0)) {
      return null; // also keeps Long.parseLong's signs out
    }
    return Long.parseLong(digits, radix);
  }
}
