package dev.crossgate.gateway.transfer;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits and places of the transfer endpoint.
 *
 * @param dataDir where chunk files live (a shared volume when several nodes serve one store)
 * @param maxChunkSize largest chunk (native) or PATCH segment (tus) held in memory at once, bytes
 * @param maxTransferSize largest file, bytes
 * @param tenantQuota bytes one tenant may hold in unfinished transfers
 * @param ttl sliding expiry: every write moves a transfer's expiry to now + ttl
 * @param sweepInterval how often expired transfers are removed
 * @param workerPoolSize threads of the {@code crossgate-transfer} worker pool (disk, digests, JDBC)
 */
public record TransferSettings(
    Path dataDir,
    long maxChunkSize,
    long maxTransferSize,
    long tenantQuota,
    Duration ttl,
    Duration sweepInterval,
    int workerPoolSize,
    Clock clock) {

  public static final long MIB = 1024L * 1024L;

  public TransferSettings {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    Objects.requireNonNull(clock, "clock");
    if (maxChunkSize <= 0 || maxChunkSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxChunkSize must be between 1 and 2 GiB, got " + maxChunkSize);
    }
    if (maxTransferSize <= 0 || tenantQuota <= 0 || workerPoolSize <= 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
    if (ttl.isNegative() || ttl.isZero() || sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("ttl and sweepInterval must be positive");
    }
  }

  /** 16 MiB chunks, 64 GiB files, 256 GiB per tenant, 24 h sliding expiry swept every minute. */
  public static TransferSettings defaults(Path dataDir) {
    return new TransferSettings(dataDir, 16 * MIB, 64 * 1024 * MIB, 256 * 1024 * MIB,
        Duration.ofHours(24), Duration.ofMinutes(1), 4, Clock.systemUTC());
  }

  public TransferSettings withLimits(long maxChunkSize, long maxTransferSize, long tenantQuota) {
    return new TransferSettings(dataDir, maxChunkSize, maxTransferSize, tenantQuota, ttl, sweepInterval,
        workerPoolSize, clock);
  }

  public TransferSettings withExpiry(Duration ttl, Duration sweepInterval, Clock clock) {
    return new TransferSettings(dataDir, maxChunkSize, maxTransferSize, tenantQuota, ttl, sweepInterval,
        workerPoolSize, clock);
  }
}
