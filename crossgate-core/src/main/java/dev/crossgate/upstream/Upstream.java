package dev.crossgate.upstream;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A stored, validated pool of targets that routes name instead of one {@code targetUrl}: how a
 * target is chosen per request, how its health is judged (active checks and passive ejection on
 * every node) and when a failed attempt is tried again elsewhere. Built only by {@link
 * UpstreamValidator} or the store, so every instance is valid.
 *
 * @param hashOn for {@link Algorithm#CONSISTENT_HASH}: {@code header:<name>}, {@code client_ip} or
 *     {@code path}; null otherwise
 * @param healthCheck active checks, or null for none (passive ejection only)
 */
public record Upstream(
    String id,
    List<Target> targets,
    Algorithm algorithm,
    String hashOn,
    HealthCheck healthCheck,
    Passive passive,
    Retries retries,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    long revision) {

  public enum Algorithm {
    /** nginx's smooth weighted round robin. */
    ROUND_ROBIN,
    /** The fewest in-flight requests relative to weight (seed 003: least-loaded first). */
    LEAST_CONNECTIONS,
    /** A Ketama ring over {@code hashOn}: adding a target moves about 1/n of the keys. */
    CONSISTENT_HASH
  }

  /**
   * One server of the pool: {@code url} is an http(s) base URL, its path prefixed to requests, or
   * {@code dns+srv://<name>}, which each node expands to one plain-http target per SRV record of
   * {@code name} (its host, port and SRV weight), re-resolved on the records' TTL.
   */
  public record Target(String url, int weight) {
    /** The scheme of a target discovered through DNS SRV records. */
    public static final String SRV_PREFIX = "dns+srv://";

    /** The SRV name this target stands for, or null for a plain http(s) target. */
    public String srvName() {
      return srvName(url);
    }

    /** The SRV name of a {@code dns+srv://} URL, or null for any other URL. */
    public static String srvName(String url) {
      return url.regionMatches(true, 0, SRV_PREFIX, 0, SRV_PREFIX.length())
          ? url.substring(SRV_PREFIX.length())
          : null;
    }
  }

  /**
   * Active checks: {@code GET path} every {@code intervalMs} (jittered) on every node; a target
   * turns unhealthy after {@code unhealthyThreshold} failed checks in a row and healthy again after
   * {@code healthyThreshold} good ones. A check is good when the status lies within {@code
   * expectStatus} ({@code [low, high]} inclusive) before {@code timeoutMs}.
   */
  public record HealthCheck(
      String path,
      long intervalMs,
      long timeoutMs,
      int healthyThreshold,
      int unhealthyThreshold,
      List<Integer> expectStatus) {
    public HealthCheck {
      expectStatus = List.copyOf(expectStatus);
    }

    public boolean expects(int status) {
      return status >= expectStatus.get(0) && status <= expectStatus.get(1);
    }
  }

  /**
   * Passive ejection from real traffic: {@code consecutiveFailures} failed requests in a row eject
   * a target for {@code ejectMs}, but never more than {@code maxEjectedPercent} of the pool.
   */
  public record Passive(int consecutiveFailures, long ejectMs, int maxEjectedPercent) {
    public static final Passive DEFAULT = new Passive(5, 30_000, 50);
  }

  /**
   * Retries: at most {@code attempts} more tries after the first, on the failures named in {@code
   * on} ({@code connect-failure}, {@code refused}, {@code reset}, {@code timeout} or a status
   * code), each try bounded by {@code perTryTimeoutMs} (0: the route's response timeout); at most
   * {@code budgetPercent} of a pool's requests are retries, so a sick pool is not hammered.
   */
  public record Retries(int attempts, List<String> on, long perTryTimeoutMs, int budgetPercent) {
    public static final Retries DEFAULT =
        new Retries(1, List.of("connect-failure", "refused"), 0, 20);

    public Retries {
      on = List.copyOf(on);
    }

    /** Whether an answer with {@code status} is retried. */
    public boolean onStatus(int status) {
      return on.contains(Integer.toString(status));
    }

    /** Whether a failure of {@code kind} (connect-failure, refused, reset, timeout) is retried. */
    public boolean onFailure(String kind) {
      return on.contains(kind) || (kind.equals("refused") && on.contains("connect-failure"));
    }
  }

  public Upstream {
    Objects.requireNonNull(id, "id");
    targets = List.copyOf(targets);
    algorithm = algorithm == null ? Algorithm.ROUND_ROBIN : algorithm;
    passive = passive == null ? Passive.DEFAULT : passive;
    retries = retries == null ? Retries.DEFAULT : retries;
  }

  public Upstream withServerFields(String actor, Instant created, Instant updated, long rev) {
    return new Upstream(
        id,
        targets,
        algorithm,
        hashOn,
        healthCheck,
        passive,
        retries,
        actor,
        created,
        updated,
        rev);
  }
}
