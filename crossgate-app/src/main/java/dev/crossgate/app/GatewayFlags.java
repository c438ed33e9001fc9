package dev.crossgate.app;

import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.gateway.config.GatewayOptions;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options of every role that runs a gateway node (standalone, gateway): ports, limits, markers. */
final class GatewayFlags {
  @Spec(Spec.Target.MIXEE) CommandSpec command;

  @Option(names = "--gateway-port", defaultValue = "9000", description = "Traffic port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--event-loops", description = "Gateway server instances, one per event loop (default: CPU count).")
  Integer eventLoops;

  @Option(names = "--max-body", defaultValue = "1073741824", description = "Body limit in bytes for routes that set "
      + "none; 413 above it, enforced while streaming (default: ${DEFAULT-VALUE}).")
  long maxBody;

  @Option(names = "--max-header-bytes", defaultValue = "16384", description = "Largest request header block (431 above it; default: ${DEFAULT-VALUE}).")
  int maxHeaderBytes;

  @Option(names = "--max-uri-length", defaultValue = "8192", description = "Longest request target (414 above it; default: ${DEFAULT-VALUE}).")
  int maxUriLength;

  @Option(names = "--rate-limit", defaultValue = "0", description = "Requests per second per client IP; 0 = unlimited (default: ${DEFAULT-VALUE}).")
  int rateLimit;

  @Option(names = "--rate-burst", defaultValue = "0", description = "Requests a client may send at once before the rate applies (default: ${DEFAULT-VALUE}).")
  int rateBurst;

  @Option(names = "--max-connections-per-client", defaultValue = "0", description = "Open connections per client IP; 0 = unlimited (default: ${DEFAULT-VALUE}).")
  int maxConnectionsPerClient;

  @Option(names = "--request-head-timeout", defaultValue = "PT10S", description = "How long a new client connection "
      + "may take to send a complete request head before it is closed (slow-header attacks), ISO-8601; PT0S = no "
      + "limit (default: ${DEFAULT-VALUE}).")
  Duration requestHeadTimeout;

  @Option(names = "--keepalive-timeout", defaultValue = "PT60S", description = "How long a kept-alive client "
      + "connection may wait for its next complete request head, ISO-8601; PT0S = no limit (default: ${DEFAULT-VALUE}).")
  Duration keepAliveTimeout;

  @Option(names = "--max-in-flight-per-tenant", defaultValue = "1000", description = "Requests one tenant's callers "
      + "may have in flight on a node at once (429 above it); 0 = unlimited (default: ${DEFAULT-VALUE}).")
  int maxInFlightPerTenant;

  @Option(names = "--buffer-budget", converter = ByteSize.class, description = "Bytes a node may hold in memory for "
      + "bodies it must read whole (async task bodies and results, extension bodies, tus segments); above it such "
      + "requests get 503 with Retry-After, streamed proxy traffic is unaffected (default: a quarter of the heap).")
  Long bufferBudget;

  @Option(names = "--trusted-proxies", split = ",", description = "CIDR blocks of proxies whose X-Forwarded-For is believed.")
  List<String> trustedProxies = List.of();

  @Option(names = "--access-log-json", description = "Write access-log lines as JSON objects.")
  boolean accessLogJson;

  @Option(names = "--sync-marker", defaultValue = "/sync", description = "Path marker of synchronous interfaces (default: ${DEFAULT-VALUE}).")
  String syncMarker;

  @Option(names = "--async-marker", defaultValue = "/async", description = "Path marker of asynchronous interfaces (default: ${DEFAULT-VALUE}).")
  String asyncMarker;

  @Option(names = "--public-url", description = "The gateway's external base URL, e.g. https://api.example.com: "
      + "async CALLBACK upstreams are told to post results under it (never under the caller's Host header). "
      + "Default: http://<bind>:<gateway-port> when binding a loopback address; required otherwise, or CALLBACK "
      + "routes answer 503.")
  String publicUrl;

  GatewayOptions toOptions(String bind, EgressPolicy egress) {
    var defaults = GatewayOptions.defaults();
    try {
      return new GatewayOptions(bind, port, eventLoops == null ? defaults.eventLoops() : eventLoops,
          new GatewayOptions.Limits(maxUriLength, maxHeaderBytes, maxBody, rateLimit, rateBurst,
              maxConnectionsPerClient, requestHeadTimeout, keepAliveTimeout, maxInFlightPerTenant,
              bufferBudget == null ? GatewayOptions.Limits.DEFAULT_BUFFER_BUDGET : bufferBudget),
          defaults.upstream(), trustedProxies, accessLogJson, new GatewayOptions.Markers(syncMarker, asyncMarker),
          Duration.ofSeconds(10), egress, publicUrl, false);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), "Invalid gateway options: " + e.getMessage());
    }
  }
}
