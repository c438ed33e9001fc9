package dev.crossgate.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.crossgate.change.Change;
import dev.crossgate.config.ConfigHash;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.filter.FilterRule;
import dev.crossgate.json.Json;
import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteTable;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.tenant.TenantCertificate;
import dev.crossgate.tenant.TokenIssuer;
import dev.crossgate.traffic.RouteTraffic;
import dev.crossgate.upstream.PoolHealth;
import dev.crossgate.upstream.Upstream;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The messages of the cluster stream (DESIGN.md "Configuration changes across nodes"), one JSON
 * text frame each, {@code type} naming the kind. Hashes are {@link ConfigHash} hex strings.
 *
 * <pre>
 * node → control plane: HELLO, ACK, NACK, HEARTBEAT, PULL
 * control plane → node: SNAPSHOT, DELTA
 * </pre>
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClusterMessage.Hello.class, name = "HELLO"),
  @JsonSubTypes.Type(value = ClusterMessage.Snapshot.class, name = "SNAPSHOT"),
  @JsonSubTypes.Type(value = ClusterMessage.Delta.class, name = "DELTA"),
  @JsonSubTypes.Type(value = ClusterMessage.Ack.class, name = "ACK"),
  @JsonSubTypes.Type(value = ClusterMessage.Nack.class, name = "NACK"),
  @JsonSubTypes.Type(value = ClusterMessage.Heartbeat.class, name = "HEARTBEAT"),
  @JsonSubTypes.Type(value = ClusterMessage.Pull.class, name = "PULL")
})
public sealed interface ClusterMessage {

  /**
   * Reads one frame. Members this version does not know are skipped, so that nodes and control
   * planes of neighbouring versions keep talking during a rolling upgrade (a newer node's report
   * part an older control plane has no field for); the members it knows are read as strictly as any
   * other JSON. An unknown {@code type} is still refused.
   */
  static ClusterMessage read(String text) throws JsonProcessingException {
    return FRAMES.readValue(text);
  }

  /** The reader behind {@link #read(String)}. */
  ObjectReader FRAMES =
      Json.mapper()
          .readerFor(ClusterMessage.class)
          .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * First message of a node on every connection: who it is, what it serves, and how often it sends
   * a HEARTBEAT ({@code heartbeatMillis}; 0 from nodes that predate it), so the control plane knows
   * when it has missed three. {@code appliedRevision} is {@link #UNCONFIGURED} from a node serving
   * no configuration it was given (new, or its disk snapshot was corrupt): it is sent a SNAPSHOT
   * even when the control plane is at revision 0, and so becomes ready.
   */
  record Hello(
      String nodeId, long appliedRevision, String configHash, String version, long heartbeatMillis)
      implements ClusterMessage {
    public static final long UNCONFIGURED = -1;

    public Hello(String nodeId, long appliedRevision, String configHash, String version) {
      this(nodeId, appliedRevision, configHash, version, 0);
    }
  }

  /** The whole configuration at {@code revision}; for new nodes, old nodes and repairs. */
  record Snapshot(
      long revision,
      String hash,
      List<Route> routes,
      List<FilterRule> filters,
      List<ApiKey> apiKeys,
      List<Extension> extensions,
      List<String> disabledTenants,
      // left out when empty: a node that predates client certificates can still read the snapshot
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<TenantCertificate> clientCertificates,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Upstream> upstreams,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<TokenIssuer> issuers,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, List<RateLimit>> tenantRateLimits)
      implements ClusterMessage {
    public Snapshot {
      // a snapshot from a control plane that predates extensions, tenant switches, client
      // certificates, upstream pools or token issuers carries none
      extensions = extensions == null ? List.of() : List.copyOf(extensions);
      disabledTenants = disabledTenants == null ? List.of() : List.copyOf(disabledTenants);
      clientCertificates = clientCertificates == null ? List.of() : List.copyOf(clientCertificates);
      upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
      issuers = issuers == null ? List.of() : List.copyOf(issuers);
      tenantRateLimits = tenantRateLimits == null ? Map.of() : Map.copyOf(tenantRateLimits);
    }

    public static Snapshot of(GatewayConfig config) {
      return new Snapshot(
          config.revision(),
          config.hashHex(),
          List.copyOf(config.routes().routes()),
          config.filters(),
          List.copyOf(config.apiKeys().values()),
          List.copyOf(config.extensions().all()),
          config.disabledTenants().stream().sorted().toList(),
          config.clientCertificates().values().stream()
              .sorted(Comparator.comparing(TenantCertificate::id))
              .toList(),
          config.upstreams().values().stream().sorted(Comparator.comparing(Upstream::id)).toList(),
          config.issuers().values().stream().sorted(Comparator.comparing(TokenIssuer::id)).toList(),
          new java.util.TreeMap<>(config.tenantRateLimits()));
    }

    /** The configuration this snapshot describes; its hash is recomputed, not trusted. */
    public GatewayConfig toConfig() {
      var keys = apiKeys.stream().collect(Collectors.toMap(ApiKey::keyHash, Function.identity()));
      return new GatewayConfig(
          revision,
          RouteTable.of(routes, revision),
          filters,
          keys,
          extensions,
          disabledTenants,
          clientCertificates,
          upstreams,
          issuers,
          tenantRateLimits);
    }
  }

  /** The changes after {@code fromRevision} up to and including {@code toRevision}. */
  record Delta(long fromRevision, long toRevision, List<Change> changes)
      implements ClusterMessage {}

  /**
   * The node applied {@code revision}: {@code hash} is the hash of the configuration it was sent
   * (so the control plane compares it with the hash it expects, as for any node), and {@code
   * rejected} the resources of it this node refuses to serve (its {@code NodePolicy}); it serves
   * everything else. Left out when empty, as nodes that predate it send it.
   */
  record Ack(
      long revision,
      String hash,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Rejection> rejected)
      implements ClusterMessage {
    public Ack {
      rejected = rejected == null ? List.of() : List.copyOf(rejected);
    }

    public Ack(long revision, String hash) {
      this(revision, hash, List.of());
    }
  }

  /**
   * The node cannot apply {@code revision} at all (an unreadable or corrupt batch); it keeps
   * serving what it had. Resources a node merely refuses to serve are {@link Ack#rejected()}.
   */
  record Nack(long revision, List<ApplyError> errors) implements ClusterMessage {}

  /**
   * Anti-entropy: what the node serves, every few seconds, and what it reports of itself ({@link
   * NodeReport}), which the control plane keeps as the node's state. Each part is left out when
   * empty, so a heartbeat of a node that predates a part reads as reporting none of it (and an idle
   * node's heartbeat reads on a control plane that predates the part).
   */
  record Heartbeat(
      long revision,
      String hash,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PoolHealth> upstreams,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ModuleLoad> modules,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<RouteTraffic> traffic)
      implements ClusterMessage {
    public Heartbeat {
      upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
      modules = modules == null ? List.of() : List.copyOf(modules);
      traffic = NodeReport.bounded(traffic);
    }

    public Heartbeat(long revision, String hash) {
      this(revision, hash, NodeReport.NONE);
    }

    public Heartbeat(long revision, String hash, NodeReport report) {
      this(revision, hash, report.upstreams(), report.modules(), report.traffic());
    }

    /** What the node reports of itself beside what it serves. */
    public NodeReport report() {
      return new NodeReport(upstreams, modules, traffic);
    }
  }

  /**
   * What a node reports of itself on every heartbeat: its own view of every upstream pool's health
   * (for {@code GET /admin/upstreams/{id}/health}), the load state of the WebAssembly modules its
   * extensions asked for (for {@code GET /admin/tenants/{t}/extensions/{id}/versions/{v}}) and what
   * its busiest routes did since its previous report (for {@code GET /admin/traffic}; at most
   * {@link #MAX_TRAFFIC_ROUTES}, more are cut off rather than kept).
   */
  record NodeReport(
      List<PoolHealth> upstreams, List<ModuleLoad> modules, List<RouteTraffic> traffic) {
    public static final NodeReport NONE = new NodeReport(List.of(), List.of(), List.of());

    /** The most routes one report's traffic holds: the node's busiest since its last report. */
    public static final int MAX_TRAFFIC_ROUTES = 50;

    public NodeReport {
      upstreams = List.copyOf(upstreams);
      modules = List.copyOf(modules);
      traffic = bounded(traffic);
    }

    public NodeReport(List<PoolHealth> upstreams, List<ModuleLoad> modules) {
      this(upstreams, modules, List.of());
    }

    static List<RouteTraffic> bounded(List<RouteTraffic> traffic) {
      return traffic == null
          ? List.of()
          : List.copyOf(traffic.subList(0, Math.min(MAX_TRAFFIC_ROUTES, traffic.size())));
    }
  }

  /**
   * The node asks for whatever is newer than {@code appliedRevision} now (e.g. after a write it
   * forwarded).
   */
  record Pull(long appliedRevision) implements ClusterMessage {}

  /** Why an entity could not be applied. */
  record ApplyError(String entity, String id, String message) {}

  /**
   * A resource a node applied the revision of but does not serve, and why (e.g. an upstream scheme
   * its policy does not allow).
   */
  record Rejection(String entityType, String entityId, String reason) {}
}
