package dev.crossgate.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * TLS on the traffic port. With it a node listens for HTTPS on {@link #port}; cleartext HTTP on the
 * options' port only when {@link #cleartext} (the operator asked for both), otherwise its cleartext
 * listener binds a loopback address on an ephemeral port, for the node's own loopback requests
 * only.
 *
 * @param pairs certificate chains and their keys (PEM files); SNI picks a pair by the client's
 *     server name, the first is the default for clients that send none or an unknown one
 * @param port the HTTPS port; 0 picks a free one
 * @param clientCa PEM CA certificate(s) client certificates are verified against, or null
 * @param clientAuth whether a client certificate is asked for
 * @param cleartext whether cleartext HTTP stays open on the options' bind and port too
 * @param reloadEvery how often the files are checked for a change (a changed, valid set replaces
 *     the old one for new connections; open connections keep theirs)
 */
public record TrafficTls(
    List<Pair> pairs,
    int port,
    Path clientCa,
    ClientAuth clientAuth,
    boolean cleartext,
    Duration reloadEvery) {
  public static final int DEFAULT_PORT = 9443;
  public static final Duration DEFAULT_RELOAD = Duration.ofSeconds(5);

  /** A certificate chain and its private key. */
  public record Pair(Path cert, Path key) {
    public Pair {
      Objects.requireNonNull(cert, "cert");
      Objects.requireNonNull(key, "key");
    }
  }

  /** Whether the server asks for a client certificate during the handshake. */
  public enum ClientAuth {
    /** Never asks. */
    NONE,
    /** Asks; a client without one still connects (routes with {@code auth: MTLS} refuse it). */
    REQUEST,
    /** Asks; the handshake fails without a certificate the client CA signed. */
    REQUIRED
  }

  public TrafficTls {
    pairs = List.copyOf(pairs);
    Objects.requireNonNull(clientAuth, "clientAuth");
    Objects.requireNonNull(reloadEvery, "reloadEvery");
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("TLS needs at least one certificate and key");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("TLS port out of range: " + port);
    }
    if (clientAuth != ClientAuth.NONE && clientCa == null) {
      throw new IllegalArgumentException(
          "client certificates need a CA to verify them against (client CA file)");
    }
    if (reloadEvery.isNegative() || reloadEvery.isZero()) {
      throw new IllegalArgumentException("the reload period must be positive");
    }
  }

  /**
   * Certificates on {@code port} with the default reload period, no client certificates, no
   * cleartext.
   */
  public static TrafficTls of(List<Pair> pairs, int port) {
    return new TrafficTls(pairs, port, null, ClientAuth.NONE, false, DEFAULT_RELOAD);
  }

  public TrafficTls withClientAuth(Path ca, ClientAuth auth) {
    return new TrafficTls(pairs, port, ca, auth, cleartext, reloadEvery);
  }

  public TrafficTls withCleartext(boolean enabled) {
    return new TrafficTls(pairs, port, clientCa, clientAuth, enabled, reloadEvery);
  }

  public TrafficTls withReloadEvery(Duration period) {
    return new TrafficTls(pairs, port, clientCa, clientAuth, cleartext, period);
  }
}
