package dev.crossgate.gateway.task;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a gateway node keeps async tasks.
 *
 * @param blobDir where results above {@code inlineResultBytes} are spilled (one file per task)
 * @param ttl a task nobody collects (DELETE) is removed this long after it was created
 * @param maxRequestBytes largest request body an async task stores (413 above it)
 * @param maxResultBytes largest result an upstream may post (413 above it)
 * @param inlineResultBytes results up to this size stay in the database row
 * @param retryAfterSeconds the {@code Retry-After} hint on 202 and on polls of unfinished tasks
 * @param heldTimeout how long a gateway-held call may take before the task fails with 504
 * @param sweepInterval how often expired tasks are looked for
 * @param quota what one tenant may hold in the task table at once
 */
public record TaskOptions(
    Path blobDir,
    Duration ttl,
    long maxRequestBytes,
    long maxResultBytes,
    int inlineResultBytes,
    int retryAfterSeconds,
    Duration heldTimeout,
    Duration sweepInterval,
    Quota quota) {

  /**
   * Per-tenant bounds, checked when a task is created (429 {@code task-quota-exceeded} above them):
   * a tenant that never collects its results cannot keep adding work. Checked per submission, so a
   * node may overshoot by the submissions it is storing at that moment.
   *
   * @param maxPendingTasks unfinished tasks; 0 = unlimited
   * @param maxPendingBytes request bytes of unfinished tasks; 0 = unlimited
   * @param maxResultBytes bytes of results stored and not yet collected; 0 = unlimited
   */
  public record Quota(long maxPendingTasks, long maxPendingBytes, long maxResultBytes) {
    /** 1,000 unfinished tasks holding 256 MiB of request bodies; 1 GiB of uncollected results. */
    public static final Quota DEFAULT = new Quota(1_000, 256L << 20, 1L << 30);

    public Quota {
      if (maxPendingTasks < 0 || maxPendingBytes < 0 || maxResultBytes < 0) {
        throw new IllegalArgumentException("task quotas are >= 0 (0 = unlimited)");
      }
    }
  }

  public TaskOptions {
    Objects.requireNonNull(blobDir, "blobDir");
    Objects.requireNonNull(quota, "quota");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(heldTimeout, "heldTimeout");
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    if (maxRequestBytes < 0
        || maxResultBytes < 0
        || inlineResultBytes < 0
        || retryAfterSeconds < 1
        || ttl.isNegative()
        || ttl.isZero()
        || sweepInterval.toMillis() < 10) {
      throw new IllegalArgumentException("task options out of range");
    }
  }

  /**
   * 24 h TTL, 16 MiB bodies, results above 256 KiB on disk, held calls up to 10 minutes, {@link
   * Quota#DEFAULT}.
   */
  public static TaskOptions defaults(Path dataDir) {
    return new TaskOptions(
        dataDir.resolve("task-results"),
        Duration.ofHours(24),
        16L << 20,
        16L << 20,
        256 << 10,
        2,
        Duration.ofMinutes(10),
        Duration.ofSeconds(30),
        Quota.DEFAULT);
  }

  public TaskOptions withTtl(Duration newTtl, Duration newSweepInterval) {
    return new TaskOptions(
        blobDir,
        newTtl,
        maxRequestBytes,
        maxResultBytes,
        inlineResultBytes,
        retryAfterSeconds,
        heldTimeout,
        newSweepInterval,
        quota);
  }

  public TaskOptions withLimits(
      long newMaxRequestBytes, long newMaxResultBytes, int newInlineResultBytes) {
    return new TaskOptions(
        blobDir,
        ttl,
        newMaxRequestBytes,
        newMaxResultBytes,
        newInlineResultBytes,
        retryAfterSeconds,
        heldTimeout,
        sweepInterval,
        quota);
  }

  public TaskOptions withQuota(Quota newQuota) {
    return new TaskOptions(
        blobDir,
        ttl,
        maxRequestBytes,
        maxResultBytes,
        inlineResultBytes,
        retryAfterSeconds,
        heldTimeout,
        sweepInterval,
        newQuota);
  }
}
