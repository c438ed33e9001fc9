package dev.crossgate.filter;

import java.time.Instant;

/**
 * A row of the filter table (seed: filtering garbage requests), evaluated in {@code priority} order
 * (then id) before routing. {@code value} is interpreted per {@link Kind}; {@code header} names the
 * header for {@link Kind#HEADER}.
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
    long revision) {

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
