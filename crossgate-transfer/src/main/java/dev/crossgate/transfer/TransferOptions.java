package dev.crossgate.transfer;

import dev.crossgate.store.transfer.ChunkStorage;
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
 * @param chunkStorage where chunk bytes live: files under {@code dataDir}, or rows of the database
 */
public record TransferOptions(
    Path dataDir,
    long maxChunkSize,
    long maxTransferSize,
    long tenantQuota,
    Duration ttl,
    Duration sweepInterval,
    int workerPoolSize,
    Clock clock,
    ChunkStorage chunkStorage) {

  public static final long MIB = 1024L * 1024L;

  /**
   * Largest chunk kept in the database. PostgreSQL sends a {@code bytea} value hex-encoded, two
   * characters a byte, and one value's text must stay under 1 GB; every read also holds the whole
   * chunk in heap once (see {@link DatabaseChunkStore}). 256 MiB keeps both well inside.
   */
  public static final long MAX_DATABASE_CHUNK = 256 * MIB;

  public TransferOptions {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(chunkStorage, "chunkStorage");
    if (maxChunkSize <= 0 || maxChunkSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "maxChunkSize must be between 1 and 2 GiB, got " + maxChunkSize);
    }
    if (maxTransferSize <= 0 || tenantQuota <= 0 || workerPoolSize <= 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
    if (ttl.isNegative() || ttl.isZero() || sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("ttl and sweepInterval must be positive");
    }
    if (chunkStorage == ChunkStorage.DATABASE && maxChunkSize > MAX_DATABASE_CHUNK) {
      throw new IllegalArgumentException(
          "maxChunkSize must be at most "
              + MAX_DATABASE_CHUNK
              + " bytes (256 MiB) when chunks are stored in the database, got "
              + maxChunkSize);
    }
  }

  /** Settings with chunk bytes on disk (the storage before it was configurable). */
  public TransferOptions(
      Path dataDir,
      long maxChunkSize,
      long maxTransferSize,
      long tenantQuota,
      Duration ttl,
      Duration sweepInterval,
      int workerPoolSize,
      Clock clock) {
    this(
        dataDir,
        maxChunkSize,
        maxTransferSize,
        tenantQuota,
        ttl,
        sweepInterval,
        workerPoolSize,
        clock,
        ChunkStorage.DISK);
  }

  /**
   * 16 MiB chunks, 64 GiB files, 256 GiB per tenant, 24 h sliding expiry swept every minute, chunks
   * on disk.
   */
  public static TransferOptions defaults(Path dataDir) {
    return new TransferOptions(
        dataDir,
        16 * MIB,
        64 * 1024 * MIB,
        256 * 1024 * MIB,
        Duration.ofHours(24),
        Duration.ofMinutes(1),
        4,
        Clock.systemUTC());
  }

  public TransferOptions withLimits(long maxChunkSize, long maxTransferSize, long tenantQuota) {
    return new TransferOptions(
        dataDir,
        maxChunkSize,
        maxTransferSize,
        tenantQuota,
        ttl,
        sweepInterval,
        workerPoolSize,
        clock,
        chunkStorage);
  }

  public TransferOptions withExpiry(Duration ttl, Duration sweepInterval, Clock clock) {
    return new TransferOptions(
        dataDir,
        maxChunkSize,
        maxTransferSize,
        tenantQuota,
        ttl,
        sweepInterval,
        workerPoolSize,
        clock,
        chunkStorage);
  }

  public TransferOptions withChunkStorage(ChunkStorage chunkStorage) {
    return new TransferOptions(
        dataDir,
        maxChunkSize,
        maxTransferSize,
        tenantQuota,
        ttl,
        sweepInterval,
        workerPoolSize,
        clock,
        chunkStorage);
  }
}
