package dev.crossgate.extension;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A tenant's registered extension app (DESIGN.md "Extensions"): where it runs, how it is called,
 * which versions exist and what it depends on. Built only by {@link ExtensionValidator} or the
 * store, so every instance is valid. Identified by {@link #key()}: extension ids are unique per
 * tenant, not globally.
 *
 * @param point one of {@link ExtensionPoints#ALLOWED}
 * @param endpoint the tenant's HTTP URL receiving the JSON contract, called until (and unless) a
 *     version's module is cached on the platform; null for an extension that runs only on the
 *     platform (modules uploaded to it, {@link Artifact#isHosted()})
 * @param timeoutMs wall time of one call, remote or local
 * @param defaultResponse answered when the call fails and {@code failurePolicy} is DEFAULT_RESPONSE
 * @param dependsOn ids of the same tenant's extensions this one relies on; an extension with
 *     dependencies always runs at the tenant
 * @param allowCallerVersion whether a caller of the owning tenant may choose the version with
 *     {@code X-Crossgate-Extension-Version} on its request (default true; null reads as true, so
 *     entries stored before the field existed keep the default)
 */
public record Extension(
    String tenant,
    String id,
    String point,
    String endpoint,
    Protocol protocol,
    Connection connection,
    long timeoutMs,
    FailurePolicy failurePolicy,
    DefaultResponse defaultResponse,
    List<Version> versions,
    List<String> dependsOn,
    Boolean allowCallerVersion,
    Instant createdAt,
    Instant updatedAt,
    long revision) {

  /**
   * How the platform talks to the tenant: JSON over POST, on HTTP/1.1 ({@code HTTP}) or on HTTP/2
   * ({@code HTTP2}: h2c with prior knowledge for http endpoints, h2 by ALPN for https ones); or
   * ({@code GRPC}) the unary call of docs/extension.proto on HTTP/2 the same way, the endpoint then
   * being the server's base URL.
   */
  public enum Protocol {
    HTTP,
    HTTP2,
    GRPC
  }

  /**
   * POOLED keeps keep-alive connections to the tenant (for HTTP2 and GRPC: one multiplexed
   * connection per node and endpoint, kept alive with pings); ON_DEMAND opens one connection per
   * call.
   */
  public enum Connection {
    ON_DEMAND,
    POOLED
  }

  /**
   * What a failed call (timeout, error status, trap, unreadable answer, open circuit) turns into.
   */
  public enum FailurePolicy {
    FAIL_CLOSED,
    FAIL_OPEN,
    DEFAULT_RESPONSE
  }

  /** One deployable version; {@code weight} is its share when the platform picks at random. */
  public record Version(String version, int weight, Artifact artifact) {}

  /**
   * A WebAssembly module for in-process execution, identified by its SHA-256 (lowercase hex).
   *
   * @param url where the tenant serves it, or null for a module uploaded to the platform, which
   *     nodes fetch by digest from the control plane
   */
  public record Artifact(String url, String sha256) {
    /** A module uploaded to the platform. */
    public static Artifact hosted(String sha256) {
      return new Artifact(null, sha256);
    }

    /** True for a module uploaded to the platform (no tenant URL). */
    @JsonIgnore
    public boolean isHosted() {
      return url == null;
    }
  }

  /** The response answered instead of a failed extension's. */
  public record DefaultResponse(int status, Map<String, String> headers, JsonNode body) {
    public DefaultResponse {
      headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
  }

  public Extension {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(id, "id");
    versions = List.copyOf(versions);
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    protocol = protocol == null ? Protocol.HTTP : protocol;
    connection = connection == null ? Connection.POOLED : connection;
    failurePolicy = failurePolicy == null ? FailurePolicy.FAIL_CLOSED : failurePolicy;
    allowCallerVersion = allowCallerVersion == null || allowCallerVersion;
  }

  public Extension withConnection(Connection newConnection) {
    return new Extension(
        tenant,
        id,
        point,
        endpoint,
        protocol,
        newConnection,
        timeoutMs,
        failurePolicy,
        defaultResponse,
        versions,
        dependsOn,
        allowCallerVersion,
        createdAt,
        updatedAt,
        revision);
  }

  /** The registry key: {@code tenant/id}, also the entity id of its change-log rows. */
  @JsonIgnore
  public String key() {
    return key(tenant, id);
  }

  public static String key(String tenant, String id) {
    return tenant + "/" + id;
  }

  /** The version named {@code name}, or null. */
  public Version version(String name) {
    for (var v : versions) {
      if (v.version().equals(name)) {
        return v;
      }
    }
    return null;
  }

  /** True when the platform may cache this extension's code and run it in-process. */
  @JsonIgnore
  public boolean cacheable() {
    return dependsOn.isEmpty() && versions.stream().anyMatch(v -> v.artifact() != null);
  }
}
