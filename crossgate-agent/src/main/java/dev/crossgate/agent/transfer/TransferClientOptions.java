package dev.crossgate.agent.transfer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link TransferClient} sends.
 *
 * @param stateDir where descriptors and chunk digests are kept between runs
 * @param apiKey the tenant key sent as {@code X-Api-Key}
 * @param chunkSize bytes per chunk (the server's maximum applies)
 * @param parallelism chunks in flight at once (1 = strictly in order)
 * @param maxAttempts attempts per request before the run gives up (state is kept; run again to
 *     resume)
 * @param requestTimeout per request
 * @param target optional delivery target: an absolute URL or a gateway route path (/sync/…,
 *     /async/…)
 * @param digest {@code sha-256} (default) or {@code crc32c}: the algorithm of the chunk digests and
 *     of the whole-file {@code Repr-Digest}; crc32c only guards against accidents, not tampering
 */
public record TransferClientOptions(
    Path stateDir,
    String apiKey,
    int chunkSize,
    int parallelism,
    int maxAttempts,
    Duration requestTimeout,
    String target,
    String digest) {

  public static final int DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

  public TransferClientOptions {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (!"sha-256".equals(digest) && !"crc32c".equals(digest)) {
      throw new IllegalArgumentException("digest must be sha-256 or crc32c, got " + digest);
    }
    if (chunkSize <= 0 || parallelism <= 0 || maxAttempts <= 0) {
      throw new IllegalArgumentException("chunkSize, parallelism and maxAttempts must be positive");
    }
  }

  public static TransferClientOptions defaults(Path stateDir, String apiKey) {
    return new TransferClientOptions(
        stateDir, apiKey, DEFAULT_CHUNK_SIZE, 2, 6, Duration.ofMinutes(2), null, "sha-256");
  }

  public TransferClientOptions withChunking(int chunkSize, int parallelism) {
    return new TransferClientOptions(
        stateDir, apiKey, chunkSize, parallelism, maxAttempts, requestTimeout, target, digest);
  }

  public TransferClientOptions withTarget(String target) {
    return new TransferClientOptions(
        stateDir, apiKey, chunkSize, parallelism, maxAttempts, requestTimeout, target, digest);
  }

  public TransferClientOptions withDigest(String digest) {
    return new TransferClientOptions(
        stateDir, apiKey, chunkSize, parallelism, maxAttempts, requestTimeout, target, digest);
  }

  public TransferClientOptions withMaxAttempts(int maxAttempts) {
    return new TransferClientOptions(
        stateDir, apiKey, chunkSize, parallelism, maxAttempts, requestTimeout, target, digest);
  }
}
