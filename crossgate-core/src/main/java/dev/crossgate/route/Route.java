package dev.crossgate.route;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A stored, validated route: a source (host, path, version) mapped to a target URL. This is the
 * one configuration entity behind "network address proxy info", "RestAPI entries" and "data
 * interface declarations" (DESIGN.md). Built only by {@link RouteValidator} or the store, so
 * every instance is valid.
 */
public record Route(
    String id,
    String service,
    String summary,
    String remarks,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    String sourceHost,
    String sourcePath,
    PathMatch pathMatch,
    String version,
    boolean defaultVersion,
    List<String> methods,
    String targetUrl,
    Mode mode,
    AsyncExecution asyncExecution,
    List<Param> params,
    List<String> flow,
    Auth auth,
    Timeouts timeouts,
    Long maxBodyBytes,
    boolean websocket,
    boolean enabled,
    long revision) {

  public enum Mode { SYNC, ASYNC }

  public enum AsyncExecution { CALLBACK, HELD }

  public enum Auth { NONE, KEY }

  /** PREFIX matches the path and everything below it at a segment boundary; EXACT only the path. */
  public enum PathMatch { PREFIX, EXACT }

  /** A declared request parameter of a data interface (seed: "data interface declarations"). */
  public record Param(String name, String type, boolean required) {}

  /** Upstream timeouts in milliseconds: connect (→ 502), response headers (→ 504), idle. */
  public record Timeouts(long connectMs, long responseMs, long idleMs) {
    public static final Timeouts DEFAULT = new Timeouts(5_000, 30_000, 60_000);
  }

  public Route {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sourcePath, "sourcePath");
    Objects.requireNonNull(targetUrl, "targetUrl");
    methods = List.copyOf(methods);
    params = List.copyOf(params);
    flow = List.copyOf(flow);
    pathMatch = pathMatch == null ? PathMatch.PREFIX : pathMatch;
    mode = mode == null ? Mode.SYNC : mode;
    asyncExecution = asyncExecution == null ? AsyncExecution.CALLBACK : asyncExecution;
    auth = auth == null ? Auth.NONE : auth;
    timeouts = timeouts == null ? Timeouts.DEFAULT : timeouts;
  }

  /** True when this route accepts {@code method}; an empty method list accepts every method. */
  public boolean allows(String method) {
    return methods.isEmpty() || methods.contains(method);
  }

  /** The host key routes are indexed by: the exact host, a {@code *.domain} wildcard, or "" for any. */
  public String hostKey() {
    return sourceHost == null ? "" : sourceHost;
  }

  public Route withServerFields(String newId, String actor, Instant created, Instant updated, long rev) {
    return new Route(newId, service, summary, remarks, actor, created, updated, sourceHost, sourcePath,
        pathMatch, version, defaultVersion, methods, targetUrl, mode, asyncExecution, params, flow, auth,
        timeouts, maxBodyBytes, websocket, enabled, rev);
  }
}
