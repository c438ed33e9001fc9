package dev.crossgate.store.transfer;

import java.time.Instant;
import java.util.Objects;

/**
 * One transfer as the index stores it. {@code owner} is the tenant; {@code id} is unique per owner
 * only. {@code totalSize} is null while a tus upload defers its length.
 *
 * @param protocol {@code native} or {@code tus}: how chunks are addressed (by number or by offset)
 * @param chunkDigest the algorithm every chunk is verified with ({@code sha-256}, {@code crc32c})
 * @param fileDigest the declared whole-file digest as an RFC 9530 field value, or null
 * @param receivedBytes sum of the sizes of the stored chunks; the whole size once COMPLETED (even
 *     when the chunks were released after delivery); 0 once FAILED (the data is released)
 * @param receivedChunks how many chunks are stored
 * @param nextChunk one past the highest stored chunk number (0 while none is)
 * @param lowestMissing the lowest chunk number not stored yet
 */
public record TransferRecord(
    String owner,
    String id,
    String protocol,
    long chunkSize,
    long chunkCount,
    Long totalSize,
    String chunkDigest,
    String fileDigest,
    String name,
    String target,
    String metadata,
    TransferStatus status,
    String failure,
    String delivery,
    long receivedBytes,
    long receivedChunks,
    long nextChunk,
    long lowestMissing,
    Instant createdAt,
    Instant updatedAt,
    Instant expiresAt) {

  public TransferRecord {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(chunkDigest, "chunkDigest");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** Whether its chunks are held and counted: open, or being verified and delivered. */
  public boolean holdsChunks() {
    return status == TransferStatus.OPEN || status == TransferStatus.COMPLETING;
  }

  public boolean lengthDeferred() {
    return totalSize == null;
  }
}
