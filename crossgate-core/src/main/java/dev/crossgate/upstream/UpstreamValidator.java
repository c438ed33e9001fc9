package dev.crossgate.upstream;

import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.RouteValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns an {@link UpstreamSpec} into an {@link Upstream}, or fails with every invalid field named
 * at once (a 400 {@code validation} problem), as {@code RouteValidator} does for routes.
 */
public final class UpstreamValidator {
  /** Ids are names operators choose and routes refer to: short, URL-safe. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Balancers keep candidate sets in one 64-bit mask. */
  public static final int MAX_TARGETS = 64;

  public static final int MAX_WEIGHT = 10_000;

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Set<String> FAILURES =
      Set.of("connect-failure", "refused", "reset", "timeout");
  private static final long MAX_MS = 3_600_000;
  private static final Pattern SRV_NAME =
      Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\\.[A-Za-z0-9_][A-Za-z0-9_-]{0,62})*\\.?");

  private UpstreamValidator() {}

  /**
   * Validates {@code spec} for the upstream {@code id}.
   *
   * @throws ProblemException a 400 validation problem listing every invalid field
   */
  public static Upstream validate(
      String id, UpstreamSpec spec, String actor, Instant createdAt, Instant now) {
    var errors = new ArrayList<FieldError>();
    if (id == null || !ID.matcher(id).matches()) {
      errors.add(
          new FieldError(
              "id",
              "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"));
    } else if (spec.id() != null && !spec.id().equals(id)) {
      errors.add(new FieldError("id", "does not match the upstream addressed (" + id + ")"));
    }
    var targets = targets(errors, spec.targets());
    var algorithm = Upstream.Algorithm.ROUND_ROBIN;
    if (spec.algorithm() != null && !spec.algorithm().isBlank()) {
      try {
        algorithm = Upstream.Algorithm.valueOf(spec.algorithm().trim());
      } catch (IllegalArgumentException e) {
        errors.add(
            new FieldError(
                "algorithm",
                "'"
                    + spec.algorithm()
                    + "' is not one of ROUND_ROBIN, LEAST_CONNECTIONS, CONSISTENT_HASH"));
      }
    }
    var hashOn = hashOn(errors, spec.hashOn(), algorithm);
    var healthCheck = healthCheck(errors, spec.healthCheck());
    var passive = passive(errors, spec.passive());
    var retries = retries(errors, spec.retries());
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    return new Upstream(
        id, targets, algorithm, hashOn, healthCheck, passive, retries, actor, createdAt, now, 0);
  }

  private static List<Upstream.Target> targets(
      List<FieldError> errors, List<UpstreamSpec.TargetSpec> raw) {
    if (raw == null || raw.isEmpty()) {
      errors.add(new FieldError("targets", "is required: at least one {url, weight}"));
      return List.of();
    }
    if (raw.size() > MAX_TARGETS) {
      errors.add(new FieldError("targets", "must list at most " + MAX_TARGETS + " targets"));
      return List.of();
    }
    var out = new ArrayList<Upstream.Target>(raw.size());
    var seen = new HashSet<String>();
    for (int i = 0; i < raw.size(); i++) {
      var at = "targets[" + i + "]";
      var t = raw.get(i);
      if (t == null) {
        errors.add(new FieldError(at, "must be an object {url, weight}"));
        continue;
      }
      var url = url(errors, at + ".url", t.url());
      int weight = t.weight() == null ? 100 : t.weight();
      if (url != null && Upstream.Target.srvName(url) != null && t.weight() != null) {
        errors.add(
            new FieldError(
                at + ".weight",
                "does not apply to a dns+srv target: each SRV record's weight is its target's"));
      } else if (weight < 1 || weight > MAX_WEIGHT) {
        errors.add(new FieldError(at + ".weight", "must be between 1 and " + MAX_WEIGHT));
      }
      if (url != null && !seen.add(url)) {
        errors.add(new FieldError(at + ".url", "'" + url + "' is listed twice"));
      }
      if (url != null) {
        out.add(new Upstream.Target(url, weight));
      }
    }
    return out;
  }

  /**
   * An http(s) base URL as a route's targetUrl is, its trailing '/' dropped, or {@code
   * dns+srv://<name>}.
   */
  private static String url(List<FieldError> errors, String field, String raw) {
    var url = raw == null || raw.isBlank() ? null : raw.trim();
    var problem =
        url == null
            ? "is required"
            : Upstream.Target.srvName(url) != null
                ? srvProblem(Upstream.Target.srvName(url))
                : RouteValidator.targetUrlProblem(url);
    if (problem != null) {
      errors.add(new FieldError(field, problem));
      return null;
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * What is wrong with the name of a {@code dns+srv://} target, or null: a DNS name (labels of
   * letters, digits, '_' and '-'), nothing else, since the records give hosts and ports.
   */
  private static String srvProblem(String name) {
    if (name.isEmpty()) {
      return "must name the SRV records, e.g. dns+srv://_http._tcp.orders.default.svc.cluster.local";
    } else if (name.contains("@")) {
      return "must not carry credentials";
    } else if (name.contains(":")) {
      return "must not have a port: each SRV record gives its target's port";
    } else if (name.contains("/") || name.contains("?") || name.contains("#")) {
      return "must not have a path, query or fragment: a dns+srv target is a DNS name only";
    } else if (name.length() > 253 || !SRV_NAME.matcher(name).matches()) {
      return "'" + name + "' is not a DNS name (labels of letters, digits, '_' and '-')";
    }
    return null;
  }

  private static String hashOn(List<FieldError> errors, String raw, Upstream.Algorithm algorithm) {
    var hashOn = raw == null || raw.isBlank() ? null : raw.trim();
    if (algorithm != Upstream.Algorithm.CONSISTENT_HASH) {
      if (hashOn != null) {
        errors.add(new FieldError("hashOn", "applies to algorithm CONSISTENT_HASH only"));
      }
      return null;
    }
    if (hashOn == null) {
      errors.add(
          new FieldError(
              "hashOn", "is required for CONSISTENT_HASH: header:<name>, client_ip or path"));
      return null;
    }
    if (hashOn.equals("client_ip") || hashOn.equals("path")) {
      return hashOn;
    }
    if (hashOn.startsWith("header:") && HEADER_NAME.matcher(hashOn.substring(7)).matches()) {
      return hashOn;
    }
    errors.add(new FieldError("hashOn", "must be header:<name>, client_ip or path"));
    return null;
  }

  private static Upstream.HealthCheck healthCheck(
      List<FieldError> errors, UpstreamSpec.HealthCheckSpec raw) {
    if (raw == null) {
      return null;
    }
    var path = raw.path() == null || raw.path().isBlank() ? "/" : raw.path().trim();
    if (!path.startsWith("/") || path.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      errors.add(
          new FieldError("healthCheck.path", "must be a path starting with '/' (e.g. /health)"));
    }
    long interval = millis(errors, "healthCheck.intervalMs", raw.intervalMs(), 2_000, 100);
    long timeout = millis(errors, "healthCheck.timeoutMs", raw.timeoutMs(), 1_000, 1);
    if (timeout > interval) {
      errors.add(new FieldError("healthCheck.timeoutMs", "must not exceed intervalMs"));
    }
    int healthy = count(errors, "healthCheck.healthyThreshold", raw.healthyThreshold(), 2);
    int unhealthy = count(errors, "healthCheck.unhealthyThreshold", raw.unhealthyThreshold(), 3);
    var expect = raw.expectStatus() == null ? List.of(200, 399) : raw.expectStatus();
    if (expect.size() != 2
        || expect.get(0) == null
        || expect.get(1) == null
        || expect.get(0) < 100
        || expect.get(1) > 599
        || expect.get(0) > expect.get(1)) {
      errors.add(
          new FieldError(
              "healthCheck.expectStatus",
              "must be [low, high], statuses between 100 and 599, e.g. [200, 399]"));
      expect = List.of(200, 399);
    }
    return new Upstream.HealthCheck(path, interval, timeout, healthy, unhealthy, expect);
  }

  private static Upstream.Passive passive(List<FieldError> errors, UpstreamSpec.PassiveSpec raw) {
    if (raw == null) {
      return Upstream.Passive.DEFAULT;
    }
    var d = Upstream.Passive.DEFAULT;
    int failures = count(errors, "passive.consecutiveFailures", raw.consecutiveFailures(), 5);
    long eject = millis(errors, "passive.ejectMs", raw.ejectMs(), d.ejectMs(), 1);
    int percent =
        percent(
            errors, "passive.maxEjectedPercent", raw.maxEjectedPercent(), d.maxEjectedPercent());
    return new Upstream.Passive(failures, eject, percent);
  }

  private static Upstream.Retries retries(List<FieldError> errors, UpstreamSpec.RetriesSpec raw) {
    if (raw == null) {
      return Upstream.Retries.DEFAULT;
    }
    var d = Upstream.Retries.DEFAULT;
    int attempts = raw.attempts() == null ? d.attempts() : raw.attempts();
    if (attempts < 0 || attempts > 10) {
      errors.add(new FieldError("retries.attempts", "must be between 0 and 10"));
    }
    var on = raw.on() == null ? d.on() : raw.on();
    for (int i = 0; i < on.size(); i++) {
      var kind = on.get(i);
      if (kind == null || !(FAILURES.contains(kind) || kind.matches("5[0-9][0-9]|429"))) {
        errors.add(
            new FieldError(
                "retries.on[" + i + "]",
                "must be connect-failure, refused, reset, timeout, 429 or a 5xx status"));
      }
    }
    long perTry = raw.perTryTimeoutMs() == null ? 0 : raw.perTryTimeoutMs();
    if (perTry < 0 || perTry > MAX_MS) {
      errors.add(
          new FieldError(
              "retries.perTryTimeoutMs",
              "must be between 0 (the route's response timeout) and " + MAX_MS));
    }
    int budget = percent(errors, "retries.budgetPercent", raw.budgetPercent(), d.budgetPercent());
    return new Upstream.Retries(attempts, on, perTry, budget);
  }

  private static long millis(
      List<FieldError> errors, String field, Long raw, long fallback, long min) {
    long v = raw == null ? fallback : raw;
    if (v < min || v > MAX_MS) {
      errors.add(new FieldError(field, "must be between " + min + " and " + MAX_MS + " ms"));
    }
    return v;
  }

  private static int count(List<FieldError> errors, String field, Integer raw, int fallback) {
    int v = raw == null ? fallback : raw;
    if (v < 1 || v > 100) {
      errors.add(new FieldError(field, "must be between 1 and 100"));
    }
    return v;
  }

  private static int percent(List<FieldError> errors, String field, Integer raw, int fallback) {
    int v = raw == null ? fallback : raw;
    if (v < 0 || v > 100) {
      errors.add(new FieldError(field, "must be a percentage between 0 and 100"));
    }
    return v;
  }
}
