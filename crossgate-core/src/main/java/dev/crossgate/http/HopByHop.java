package dev.crossgate.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The one hop-by-hop rule of every Crossgate hop (the gateway's proxy, the agent's pass-through):
 * RFC 9110 section 7.6.1 — {@code Connection}, every field {@code Connection} names, and the fields
 * that only ever describe one connection ({@code Keep-Alive}, {@code TE}, {@code
 * Transfer-Encoding}, {@code Upgrade}, {@code Trailer}, {@code Proxy-*}) are never passed on.
 * Forwarding a field the sender listed in {@code Connection} would hand the next hop something
 * meant for this one only (a credential, a hint for one proxy), so the named fields matter as much
 * as the fixed list.
 */
public final class HopByHop {
  /** The fixed part of the rule, lower-case; {@code Proxy-*} is matched by prefix as well. */
  public static final Set<String> FIELDS =
      Set.of(
          "connection",
          "keep-alive",
          "te",
          "transfer-encoding",
          "upgrade",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "trailer");

  private HopByHop() {}

  /**
   * The field names listed in the {@code Connection} values, lower-cased. The common values, a lone
   * {@code keep-alive} or {@code close}, name no field that is not dropped anyway, so they cost no
   * set (this runs twice per proxied request).
   */
  public static Set<String> connectionTokens(List<String> connectionValues) {
    if (connectionValues.isEmpty()) {
      return Set.of();
    }
    var first = connectionValues.get(0);
    if (connectionValues.size() == 1
        && (first.equalsIgnoreCase("keep-alive") || first.equalsIgnoreCase("close"))) {
      return Set.of();
    }
    var tokens = new HashSet<String>();
    for (var v : connectionValues) {
      for (var t : v.split(",")) {
        tokens.add(t.trim().toLowerCase(Locale.ROOT));
      }
    }
    return tokens;
  }

  /**
   * Whether {@code name} is hop-by-hop: one of {@link #FIELDS}, {@code Proxy-*}, or named in {@code
   * Connection} ({@code named}, lower-cased, from {@link #connectionTokens}). Compares ignoring
   * case without building a lower-cased copy of every field name: this runs for every field of
   * every proxied message.
   */
  public static boolean isHopByHop(String name, Set<String> named) {
    boolean fixed =
        switch (name.length()) {
          case 2 -> name.equalsIgnoreCase("te");
          case 7 -> name.equalsIgnoreCase("upgrade") || name.equalsIgnoreCase("trailer");
          case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
          case 17 -> name.equalsIgnoreCase("transfer-encoding");
          default -> false;
        };
    if (fixed || name.regionMatches(true, 0, "proxy-", 0, 6)) {
      return true;
    }
    return !named.isEmpty() && named.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Adds the end-to-end fields of {@code in} to {@code out}: every field but the hop-by-hop ones
   * and those {@code alsoDropped} refuses (the hop's own business: {@code Host}, a credential it
   * replaces). Returns {@code out}.
   */
  public static MultiMap copyEndToEnd(MultiMap in, MultiMap out, Predicate<String> alsoDropped) {
    var named =
        in.contains(HttpHeaders.CONNECTION)
            ? connectionTokens(in.getAll(HttpHeaders.CONNECTION))
            : Set.<String>of();
    for (var e : in) {
      var name = e.getKey();
      if (!isHopByHop(name, named) && !alsoDropped.test(name)) {
        out.add(name, e.getValue());
      }
    }
    return out;
  }
}
