package dev.crossgate.egress;

import dev.crossgate.filter.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which addresses the gateway, the control plane and the agent may connect to when a tenant or a
 * caller chose the address (transfer targets, extension endpoints and artifacts, callbacks). Public
 * addresses are allowed; every other {@link AddressKind} — loopback, link-local (cloud metadata),
 * private, CGNAT, multicast, unspecified, broadcast, reserved — is refused unless the operator
 * allows it ({@code --egress-allow}: CIDR blocks, host names, {@code *.suffix} names). This
 * process's own listening ports on this host are refused even then, so an allow such as {@code
 * 127.0.0.1/32} for a local upstream does not open the Admin API to tenants.
 *
 * <p>Pure decision logic: the caller resolves names and says whether an address is this host's, and
 * must connect to exactly the address that was checked (no second lookup: no DNS rebinding).
 * Immutable; thread-safe.
 *
 * @param allowedBlocks address blocks the operator allows, whatever their kind
 * @param allowedHosts host names (lower case) or {@code *.suffix} patterns the operator vouches
 *     for, whatever they resolve to
 * @param ownPorts ports this process listens on
 */
public record EgressPolicy(
    List<Cidr> allowedBlocks, List<String> allowedHosts, Set<Integer> ownPorts) {
  /** Nothing but public addresses. */
  public static final EgressPolicy DEFAULT = new EgressPolicy(List.of(), List.of(), Set.of());

  private static final Pattern HOST =
      Pattern.compile(
          "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?");

  public EgressPolicy {
    allowedBlocks = List.copyOf(allowedBlocks);
    allowedHosts = List.copyOf(allowedHosts);
    ownPorts = Set.copyOf(ownPorts);
  }

  /** The outcome of a check; {@code reason} is for the operator's log, never for the tenant. */
  public record Verdict(boolean allowed, String reason) {
    static final Verdict ALLOWED = new Verdict(true, "allowed");
  }

  /**
   * The policy for {@code --egress-allow} entries: {@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code
   * fd00::/8}, {@code uploads.internal}, {@code *.svc.cluster.local}.
   *
   * @throws IllegalArgumentException naming the first entry that is none of these; IPv4 blocks must
   *     be written as four decimal parts ({@code 127.1} is refused as ambiguous)
   */
  public static EgressPolicy allowing(Collection<String> entries) {
    var blocks = new ArrayList<Cidr>();
    var hosts = new ArrayList<String>();
    for (var raw : entries) {
      var entry = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.contains(":") || DOTTED_QUAD.matcher(entry).matches()) {
        var block = Cidr.parse(entry);
        if (block == null) {
          throw new IllegalArgumentException("'" + raw + "' is not an IP address or CIDR block");
        }
        blocks.add(block);
      } else if (HOST.matcher(entry).matches()
          && !entry.matches("[0-9.]+")
          && entry.length() <= 253) {
        hosts.add(entry.endsWith(".") ? entry.substring(0, entry.length() - 1) : entry);
      } else {
        throw new IllegalArgumentException(
            "'"
                + raw
                + "' is not a CIDR block (10.0.0.0/8), an address, or a host"
                + " name (uploads.internal, *.svc.cluster.local)");
      }
    }
    return new EgressPolicy(blocks, hosts, Set.of());
  }

  public static EgressPolicy allowing(String... entries) {
    return allowing(List.of(entries));
  }

  public EgressPolicy withOwnPorts(Collection<Integer> ports) {
    var all = new TreeSet<>(ownPorts);
    all.addAll(ports);
    return new EgressPolicy(allowedBlocks, allowedHosts, all);
  }

  public EgressPolicy withOwnPort(int port) {
    return withOwnPorts(List.of(port));
  }

  /**
   * May a connection for host name {@code host} go to {@code address}:{@code port}?
   *
   * @param host the name the URL gave (lower case, as {@link EgressUrl#host()}), or the literal
   * @param thisHost whether {@code address} is one of this host's own (loopback, unspecified, or an
   *     interface address); the own-port rule applies to those
   */
  public Verdict check(String host, InetAddress address, int port, boolean thisHost) {
    var kind = AddressKind.of(address);
    if ((thisHost || kind == AddressKind.LOOPBACK || kind == AddressKind.UNSPECIFIED)
        && ownPorts.contains(port)) {
      return new Verdict(
          false,
          address.getHostAddress() + ":" + port + " is one of this process's listening ports");
    }
    if (kind == AddressKind.PUBLIC || hostAllowed(host) || blockAllowed(address)) {
      return Verdict.ALLOWED;
    }
    return new Verdict(
        false,
        address.getHostAddress()
            + " is "
            + kind.name().toLowerCase(Locale.ROOT).replace('_', '-')
            + " and not on --egress-allow");
  }

  /**
   * The check that needs no resolver: a literal address in {@code url} (in any spelling) is judged
   * now; a name is allowed here and must be checked once resolved.
   */
  public Verdict checkLiteral(EgressUrl url) {
    return url.literal() == null
        ? Verdict.ALLOWED
        : check(url.host(), url.literal(), url.port(), false);
  }

  /** True when the operator vouched for {@code host} by name. */
  public boolean hostAllowed(String host) {
    try {
      if (host == null || EgressUrl.literal(host) != null) {
        return false;
      }
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (var allowed : allowedHosts) {
      if (allowed.startsWith("*.") ? host.endsWith(allowed.substring(1)) : host.equals(allowed)) {
        return true;
      }
    }
    return false;
  }

  private boolean blockAllowed(InetAddress address) {
    var embedded = AddressKind.embeddedIpv4(address);
    for (var block : allowedBlocks) {
      if (block.contains(address) || (embedded != null && block.contains(embedded))) {
        return true;
      }
    }
    return false;
  }

  /** The allow-list as the operator wrote it, for the startup log. */
  public List<String> describe() {
    var out = new ArrayList<String>();
    for (var block : allowedBlocks) {
      try {
        out.add(
            InetAddress.getByAddress(block.network()).getHostAddress()
                + "/"
                + block.prefixLength());
      } catch (java.net.UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
    out.addAll(allowedHosts);
    return out;
  }
}
