package dev.crossgate.filter;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 address block, e.g. {@code 10.0.0.0/8}; a bare address is a /32 or /128. */
public record Cidr(byte[] network, int prefixLength) {

  /** Parses a literal address or block; null when it is not one (never resolves names). */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    var addressPart = slash < 0 ? text : text.substring(0, slash);
    if (!addressPart.matches("[0-9a-fA-F:.]+")) {
      return null; // literal addresses only: InetAddress would otherwise do a DNS lookup
    }
    try {
      var bytes = InetAddress.getByName(addressPart).getAddress();
      int max = bytes.length * 8;
      int prefix = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
      if (prefix < 0 || prefix > max) {
        return null;
      }
      return new Cidr(bytes, prefix);
    } catch (UnknownHostException | NumberFormatException e) {
      return null;
    }
  }

  public boolean contains(InetAddress address) {
    var bytes = address.getAddress();
    if (bytes.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (bytes[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest);
    return (bytes[full] & mask) == (network[full] & mask);
  }
}
