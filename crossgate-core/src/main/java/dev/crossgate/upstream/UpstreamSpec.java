package dev.crossgate.upstream;

import java.time.Instant;
import java.util.List;

/**
 * An upstream as an operator submits it (Admin API, console): every field optional here so that
 * {@link UpstreamValidator} names each missing or bad one at once. Server-set fields are accepted
 * (so a GET body can be PUT back) and ignored, except that an {@code id} must match the upstream
 * addressed.
 */
public record UpstreamSpec(
    String id,
    List<TargetSpec> targets,
    String algorithm,
    String hashOn,
    HealthCheckSpec healthCheck,
    PassiveSpec passive,
    RetriesSpec retries,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    Long revision) {

  public record TargetSpec(String url, Integer weight) {}

  public record HealthCheckSpec(
      String path,
      Long intervalMs,
      Long timeoutMs,
      Integer healthyThreshold,
      Integer unhealthyThreshold,
      List<Integer> expectStatus) {}

  public record PassiveSpec(Integer consecutiveFailures, Long ejectMs, Integer maxEjectedPercent) {}

  public record RetriesSpec(
      Integer attempts, List<String> on, Long perTryTimeoutMs, Integer budgetPercent) {}
}
