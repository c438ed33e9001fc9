package dev.crossgate.gateway.config;

import dev.crossgate.gateway.auth.TokenOptions;
import dev.crossgate.gateway.extension.ExtensionOptions;
import dev.crossgate.gateway.limit.RateLimitOptions;
import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.health.Readiness;
import dev.crossgate.store.Database;
import dev.crossgate.trace.Tracing;

/**
 * What a gateway node needs beyond its options and configuration: the database its async tasks live
 * in (shared by all nodes, so any node answers a poll) and how tasks are kept. {@link #NONE} runs a
 * node without tasks: async interfaces are then answered 501.
 *
 * @param database the task store's database (the node does not close it), or null
 * @param tasks task options (TTL, limits, blob directory), or null when {@code database} is
 * @param extensions how tenant extensions run (limits, WebAssembly module cache directory)
 * @param readiness what {@code /_ready} answers (the role's, drained on shutdown); null: a
 *     readiness of the node's own, ready while it listens
 * @param tls TLS on the traffic port, or null for cleartext HTTP only (kept out of {@link
 *     GatewayOptions}: the files it names are read, checked and reloaded by the server)
 * @param tokens how token issuers' keys are fetched and cached (null: the defaults)
 * @param rateLimits where rate-limit counters are kept (null: in this node's memory)
 * @param tracing OpenTelemetry tracing of the node's requests ({@link Tracing#OFF} by default)
 */
public record GatewayServices(
    Database database,
    TaskOptions tasks,
    ExtensionOptions extensions,
    Readiness readiness,
    TrafficTls tls,
    TokenOptions tokens,
    RateLimitOptions rateLimits,
    Tracing tracing) {
  public static final GatewayServices NONE =
      new GatewayServices(
          null, null, ExtensionOptions.defaults(null), null, null, null, null, null);

  public GatewayServices {
    if ((database == null) != (tasks == null)) {
      throw new IllegalArgumentException("tasks need both a database and task options");
    }
    extensions = extensions == null ? ExtensionOptions.defaults(null) : extensions;
    tokens = tokens == null ? TokenOptions.defaults() : tokens;
    rateLimits = rateLimits == null ? RateLimitOptions.LOCAL : rateLimits;
    tracing = tracing == null ? Tracing.OFF : tracing;
  }

  /** With the default token options, rate-limit counters in this node's memory, tracing off. */
  public GatewayServices(
      Database database,
      TaskOptions tasks,
      ExtensionOptions extensions,
      Readiness readiness,
      TrafficTls tls) {
    this(database, tasks, extensions, readiness, tls, null, null, null);
  }

  /** Cleartext only, ready while listening. */
  public GatewayServices(Database database, TaskOptions tasks, ExtensionOptions extensions) {
    this(database, tasks, extensions, null, null);
  }

  /** Cleartext only, with the role's readiness. */
  public GatewayServices(
      Database database, TaskOptions tasks, ExtensionOptions extensions, Readiness readiness) {
    this(database, tasks, extensions, readiness, null);
  }

  /** Tasks in {@code database}; extensions with their defaults, modules cached in memory only. */
  public GatewayServices(Database database, TaskOptions tasks) {
    this(database, tasks, null, null, null);
  }

  public GatewayServices withExtensions(ExtensionOptions options) {
    return new GatewayServices(
        database, tasks, options, readiness, tls, tokens, rateLimits, tracing);
  }

  public GatewayServices withReadiness(Readiness roleReadiness) {
    return new GatewayServices(
        database, tasks, extensions, roleReadiness, tls, tokens, rateLimits, tracing);
  }

  public GatewayServices withTls(TrafficTls trafficTls) {
    return new GatewayServices(
        database, tasks, extensions, readiness, trafficTls, tokens, rateLimits, tracing);
  }

  public GatewayServices withTokens(TokenOptions options) {
    return new GatewayServices(
        database, tasks, extensions, readiness, tls, options, rateLimits, tracing);
  }

  public GatewayServices withRateLimits(RateLimitOptions options) {
    return new GatewayServices(
        database, tasks, extensions, readiness, tls, tokens, options, tracing);
  }

  /** Tracing on the node's requests; the node closes it when it stops. */
  public GatewayServices withTracing(Tracing nodeTracing) {
    return new GatewayServices(
        database, tasks, extensions, readiness, tls, tokens, rateLimits, nodeTracing);
  }
}
