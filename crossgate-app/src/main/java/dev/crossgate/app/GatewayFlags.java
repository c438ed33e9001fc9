package dev.crossgate.app;

import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.TrafficTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Options of every role that runs a gateway node (standalone, gateway): ports, TLS, limits,
 * markers.
 */
final class GatewayFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--gateway-port",
      converter = PortNumber.class,
      defaultValue = "9000",
      description =
          "Cleartext traffic port (default: "
              + "${DEFAULT-VALUE}). With --gateway-tls-cert, cleartext is served only when this is given too.")
  int port;

  @Option(
      names = "--gateway-tls-cert",
      description =
          "PEM certificate chain for the HTTPS traffic port; repeatable, "
              + "paired by position with --gateway-tls-key. SNI picks the pair by the client's server name; the first is the "
              + "default. Files are re-read every few seconds: a changed, valid pair serves new connections.")
  List<Path> tlsCerts = List.of();

  @Option(
      names = "--gateway-tls-key",
      description = "PEM private key of the --gateway-tls-cert at the same position.")
  List<Path> tlsKeys = List.of();

  @Option(
      names = "--gateway-tls-port",
      converter = PortNumber.class,
      defaultValue = "9443",
      description = "HTTPS traffic port (default: ${DEFAULT-VALUE}).")
  int tlsPort;

  @Option(
      names = "--gateway-tls-client-ca",
      description = "PEM CA certificate(s) client certificates are verified " + "against.")
  Path tlsClientCa;

  @Option(
      names = "--gateway-tls-client-auth",
      defaultValue = "none",
      description =
          "Ask clients for a certificate: "
              + "none, request (optional; routes with auth MTLS need one) or required (the handshake fails without one) "
              + "(default: ${DEFAULT-VALUE}).")
  String tlsClientAuth;

  @Option(
      names = "--event-loops",
      description = "Gateway server instances, one per event loop (default: CPU count).")
  Integer eventLoops;

  @Option(
      names = "--max-body",
      converter = ByteSize.class,
      defaultValue = "1073741824",
      description =
          "Body limit in bytes for routes that set "
              + "none; 413 above it, enforced while streaming (default: ${DEFAULT-VALUE}).")
  long maxBody;

  @Option(
      names = "--max-header-bytes",
      converter = ByteSize.Int.class,
      defaultValue = "16384",
      description =
          "Largest request header block, bytes or KiB (431 above it; default: ${DEFAULT-VALUE}).")
  int maxHeaderBytes;

  @Option(
      names = "--max-uri-length",
      defaultValue = "8192",
      description = "Longest request target (414 above it; default: ${DEFAULT-VALUE}).")
  int maxUriLength;

  @Option(
      names = "--rate-limit",
      defaultValue = "0",
      description =
          "Requests per second per client IP, counted by each node on its own; 0 = unlimited"
              + " (default: ${DEFAULT-VALUE}).")
  int rateLimit;

  @Option(
      names = "--rate-burst",
      defaultValue = "0",
      description =
          "Requests a client may send at once before the rate applies (default: ${DEFAULT-VALUE}).")
  int rateBurst;

  @Option(
      names = "--max-connections-per-client",
      defaultValue = "0",
      description = "Open connections per client IP; 0 = unlimited (default: ${DEFAULT-VALUE}).")
  int maxConnectionsPerClient;

  @Option(
      names = "--request-head-timeout",
      defaultValue = "PT10S",
      description =
          "How long a new client connection "
              + "may take to send a complete request head before it is closed (slow-header attacks), ISO-8601; PT0S = no "
              + "limit (default: ${DEFAULT-VALUE}).")
  Duration requestHeadTimeout;

  @Option(
      names = "--keepalive-timeout",
      defaultValue = "PT60S",
      description =
          "How long a kept-alive client "
              + "connection may wait for its next complete request head, ISO-8601; PT0S = no limit (default: ${DEFAULT-VALUE}).")
  Duration keepAliveTimeout;

  @Option(
      names = "--max-in-flight-per-tenant",
      defaultValue = "1000",
      description =
          "Requests one tenant's callers "
              + "may have in flight on a node at once (429 above it); 0 = unlimited (default: ${DEFAULT-VALUE}).")
  int maxInFlightPerTenant;

  @Option(
      names = "--buffer-budget",
      converter = ByteSize.class,
      description =
          "Bytes a node may hold in memory for "
              + "bodies it must read whole (async task bodies and results, extension bodies, tus segments); above it such "
              + "requests get 503 with Retry-After, streamed proxy traffic is unaffected (default: a quarter of the heap).")
  Long bufferBudget;

  @Option(
      names = "--trusted-proxies",
      split = ",",
      description = "CIDR blocks of proxies whose X-Forwarded-For is believed.")
  List<String> trustedProxies = List.of();

  @Option(names = "--access-log-json", description = "Write access-log lines as JSON objects.")
  boolean accessLogJson;

  @Option(
      names = "--sync-marker",
      defaultValue = "/sync",
      description = "Path marker of synchronous interfaces (default: ${DEFAULT-VALUE}).")
  String syncMarker;

  @Option(
      names = "--async-marker",
      defaultValue = "/async",
      description = "Path marker of asynchronous interfaces (default: ${DEFAULT-VALUE}).")
  String asyncMarker;

  @Option(
      names = "--public-url",
      description =
          "The gateway's external base URL, e.g. https://api.example.com: "
              + "async CALLBACK upstreams are told to post results under it (never under the caller's Host header). "
              + "Default: http://<bind>:<gateway-port> when binding a loopback address; required otherwise, or CALLBACK "
              + "routes answer 503.")
  String publicUrl;

  /** TLS on the traffic port, or null when no certificate is given. */
  TrafficTls toTls() {
    if (tlsCerts.isEmpty() && tlsKeys.isEmpty()) {
      if (tlsClientCa != null) {
        throw usage("--gateway-tls-client-ca needs --gateway-tls-cert and --gateway-tls-key");
      }
      return null;
    }
    if (tlsCerts.size() != tlsKeys.size()) {
      throw usage(
          "--gateway-tls-cert and --gateway-tls-key pair by position: "
              + tlsCerts.size()
              + " certificate(s), "
              + tlsKeys.size()
              + " key(s)");
    }
    var pairs = new ArrayList<TrafficTls.Pair>();
    for (int i = 0; i < tlsCerts.size(); i++) {
      pairs.add(new TrafficTls.Pair(tlsCerts.get(i), tlsKeys.get(i)));
    }
    TrafficTls.ClientAuth clientAuth;
    try {
      clientAuth = TrafficTls.ClientAuth.valueOf(tlsClientAuth.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw usage(
          "--gateway-tls-client-auth is none, request or required, got '" + tlsClientAuth + "'");
    }
    try {
      // cleartext stays open only when the operator named its port: TLS alone otherwise
      return TrafficTls.of(pairs, tlsPort)
          .withClientAuth(tlsClientCa, clientAuth)
          .withCleartext(command.commandLine().getParseResult().hasMatchedOption("--gateway-port"));
    } catch (IllegalArgumentException e) {
      throw usage("Invalid gateway TLS options: " + e.getMessage());
    }
  }

  /**
   * The ports this node's traffic is served on, for egress refusal (a tenant must not aim at the
   * node itself).
   */
  int[] ownPorts() {
    return tlsCerts.isEmpty() ? new int[] {port} : new int[] {port, tlsPort};
  }

  /**
   * The traffic URLs for the ready line: https for the TLS port, http for cleartext when it is open
   * to clients.
   */
  static String urls(String bind, GatewayServer traffic, TrafficTls tls) {
    var http = "http://" + bind + ":" + traffic.port();
    if (tls == null) {
      return http;
    }
    var https = "https://" + bind + ":" + traffic.tlsPort();
    return tls.cleartext() ? https + "," + http : https;
  }

  private ParameterException usage(String message) {
    return new ParameterException(command.commandLine(), message);
  }

  GatewayOptions toOptions(String bind, EgressPolicy egress) {
    var defaults = GatewayOptions.defaults();
    try {
      return new GatewayOptions(
          bind,
          port,
          eventLoops == null ? defaults.eventLoops() : eventLoops,
          new GatewayOptions.Limits(
              maxUriLength,
              maxHeaderBytes,
              maxBody,
              rateLimit,
              rateBurst,
              maxConnectionsPerClient,
              requestHeadTimeout,
              keepAliveTimeout,
              maxInFlightPerTenant,
              bufferBudget == null ? GatewayOptions.Limits.DEFAULT_BUFFER_BUDGET : bufferBudget),
          defaults.upstream(),
          trustedProxies,
          accessLogJson,
          new GatewayOptions.Markers(syncMarker, asyncMarker),
          Duration.ofSeconds(10),
          egress,
          publicUrl,
          false);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          command.commandLine(), "Invalid gateway options: " + e.getMessage());
    }
  }
}
