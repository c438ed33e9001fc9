package dev.crossgate.transfer;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.crossgate.store.transfer.ChunkRecord;
import dev.crossgate.store.transfer.TransferRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code GET /_transfers/{id}} and the other native replies show. {@code nextChunk} is the
 * seed's "highest chunk held + 1" (0 when none); {@code lowestMissing} is the first gap, which is
 * where a client that sent chunks in parallel resumes.
 *
 * <p>The counters agree with the state: an open transfer lists the chunks it holds and those it
 * still needs; a finished one (COMPLETED or FAILED) takes no more chunks, so it has no {@code
 * nextChunk} (written as null), no chunk lists and no gap. A COMPLETED transfer received its whole
 * size; a FAILED one released its data and holds 0 bytes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TransferView(
    String taskId,
    String status,
    String protocol,
    Long chunkSize,
    Long chunkCount,
    Long totalSize,
    long receivedBytes,
    @JsonInclude(JsonInclude.Include.ALWAYS) Long nextChunk,
    Long lowestMissing,
    List<Long> received,
    List<Long> missing,
    Instant expiresAt,
    String name,
    String target,
    String fileDigest,
    String failure,
    String delivery) {

  static TransferView of(TransferRecord t, List<ChunkRecord> chunks) {
    boolean isNative = "native".equals(t.protocol());
    boolean open = t.holdsChunks();
    List<Long> received = null;
    List<Long> missing = null;
    Long lowestMissing = null;
    Long nextChunk = null;
    if (open) {
      received = new ArrayList<>(chunks.size());
      long max = -1;
      for (var c : chunks) {
        received.add(c.number());
        max = Math.max(max, c.number());
      }
      nextChunk = max + 1;
      missing = new ArrayList<>();
      if (isNative) {
        int i = 0;
        for (long n = 0; n < t.chunkCount(); n++) {
          if (i < received.size() && received.get(i) == n) {
            i++;
          } else {
            missing.add(n);
          }
        }
        lowestMissing = missing.isEmpty() ? null : missing.get(0);
      }
    }
    return new TransferView(
        t.id(),
        t.status().name(),
        t.protocol(),
        isNative ? t.chunkSize() : null,
        isNative ? t.chunkCount() : null,
        t.totalSize(),
        t.receivedBytes(),
        nextChunk,
        lowestMissing,
        received,
        missing,
        t.expiresAt(),
        t.name(),
        t.target(),
        t.fileDigest(),
        t.failure(),
        t.delivery());
  }
}
