package dev.crossgate.filter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A row of the filter table (seed: filtering garbage requests), evaluated in {@code priority} order
 * (then id). {@code value} is interpreted per {@link Kind}; {@code header} names the header for
 * {@link Kind#HEADER}. {@code scope} and {@code target} say which requests the rule looks at: every
 * one ({@link Scope#GLOBAL}), a service's or a route's, or a built-in endpoint's.
 */
public record FilterRule(
    String id,
    String name,
    int priority,
    Kind kind,
    String value,
    String header,
    int status,
    String message,
    boolean enabled,
    String createdBy,
    Instant createdAt,
    long revision,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = GlobalScope.class) Scope scope,
    String target) {

  /** The built-in endpoints an {@link Scope#ENDPOINT} rule may name. */
  public static final java.util.Set<String> ENDPOINTS =
      java.util.Set.of("/_transfers", "/_tus", "/_tasks");

  /** Which requests a rule applies to. */
  public enum Scope {
    /** Every request, the built-in endpoints included (what every rule did before scopes). */
    GLOBAL,
    /** Requests routed to a route whose {@code service} is {@code target}. */
    SERVICE,
    /** Requests routed to the route whose id is {@code target}. */
    ROUTE,
    /** Requests to the built-in endpoint {@code target}: one of {@link #ENDPOINTS}. */
    ENDPOINT;

    /** True for scopes known only once the request is routed. */
    public boolean afterRouting() {
      return this == SERVICE || this == ROUTE;
    }
  }

  /**
   * Leaves GLOBAL (the default) out of the JSON, so a rule written before scopes existed is stored,
   * sent to nodes and hashed exactly as before, and nodes that predate scopes still read it.
   */
  static final class GlobalScope {
    @Override
    public boolean equals(Object value) {
      return value == null || value == Scope.GLOBAL;
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  public FilterRule {
    scope = scope == null ? Scope.GLOBAL : scope;
    target = scope == Scope.GLOBAL ? null : target;
  }

  public enum Kind {
    /** value: an IP address or CIDR block (IPv4 or IPv6) of the client. */
    IP,
    /** value: a path prefix at a segment boundary. */
    PATH_PREFIX,
    /** value: a Java regular expression matched against the whole normalised path. */
    PATH_REGEX,
    /** value: an HTTP method. */
    METHOD,
    /** value: a regular expression matched against the named header (found anywhere in it). */
    HEADER,
    /** value: a regular expression matched against User-Agent (found anywhere in it). */
    USER_AGENT,
    /**
     * value: the largest body in bytes; larger declared or streamed bodies are rejected with 413.
     */
    BODY_SIZE
  }
}
